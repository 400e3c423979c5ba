#ifndef NEXUS_CZLIB_SHIM_H
#define NEXUS_CZLIB_SHIM_H
#include <zlib.h>
#endif
