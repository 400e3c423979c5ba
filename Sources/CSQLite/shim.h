#ifndef NEXUS_CSQLITE_SHIM_H
#define NEXUS_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro Swift cannot import; it tells SQLite to copy bound text.
static inline sqlite3_destructor_type nexus_sqlite_transient(void) { return (sqlite3_destructor_type)-1; }
#endif
