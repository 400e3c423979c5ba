#ifndef NEXUS_CGSL_SHIM_H
#define NEXUS_CGSL_SHIM_H

// GSL's inline definitions of gsl_rng_get, gsl_rng_uniform and friends (gsl_inline.h), so that a draw
// calls the generator directly instead of going through libgsl's exported wrappers first. libgsl exports
// the same functions, so a call the compiler does not inline still links.
#ifndef HAVE_INLINE
#define HAVE_INLINE 1
#endif

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

// Swift 6 refuses GSL's global `gsl_rng_type *` variables (mutable global state), so the generator
// types are reached through these accessors instead.
static inline const gsl_rng_type *nexus_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_rng_type *nexus_rng_taus2(void) { return gsl_rng_taus2; }
static inline const gsl_rng_type *nexus_rng_ranlxd2(void) { return gsl_rng_ranlxd2; }

#endif
