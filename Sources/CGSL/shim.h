#ifndef NEXUS_CGSL_SHIM_H
#define NEXUS_CGSL_SHIM_H

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
