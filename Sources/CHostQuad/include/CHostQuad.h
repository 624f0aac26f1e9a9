// IEEE binary128 ("quad") arithmetic and libm for guests whose `long double` is binary128
// (aarch64, riscv64), computed on an x86-64 host with `__float128`: arithmetic and
// conversions by the host's libgcc (soft-fp, correctly rounded), math functions and strtold
// by glibc's own ldbl-128 code (libm's *f128 functions), printf formatting by libquadmath
// (glibc's printf_fp), which is loaded with dlopen on first use.
#ifndef CROSSRUN_HOST_QUAD_H
#define CROSSRUN_HOST_QUAD_H
#include <stddef.h>

#if defined(__x86_64__)
/// A binary128 value as its two little-endian 64-bit words (low word first, as in memory).
typedef struct { unsigned long long lo, hi; } crossrun_quad;

/// Arithmetic: libgcc's __addtf3, __subtf3, __multf3, __divtf3, __negtf2.
crossrun_quad crossrun_q_add(crossrun_quad a, crossrun_quad b);
crossrun_quad crossrun_q_sub(crossrun_quad a, crossrun_quad b);
crossrun_quad crossrun_q_mul(crossrun_quad a, crossrun_quad b);
crossrun_quad crossrun_q_div(crossrun_quad a, crossrun_quad b);
crossrun_quad crossrun_q_neg(crossrun_quad a);
/// Comparisons: libgcc's raw results (__eqtf2 … __unordtf2), which guests test against zero.
int crossrun_q_eq(crossrun_quad a, crossrun_quad b);
int crossrun_q_ne(crossrun_quad a, crossrun_quad b);
int crossrun_q_lt(crossrun_quad a, crossrun_quad b);
int crossrun_q_le(crossrun_quad a, crossrun_quad b);
int crossrun_q_gt(crossrun_quad a, crossrun_quad b);
int crossrun_q_ge(crossrun_quad a, crossrun_quad b);
int crossrun_q_unord(crossrun_quad a, crossrun_quad b);
/// Conversions to and from the other types (libgcc; float-to-integer saturates as it does).
crossrun_quad crossrun_q_from_double(double x);
crossrun_quad crossrun_q_from_float(float x);
double crossrun_q_to_double(crossrun_quad x);
float crossrun_q_to_float(crossrun_quad x);
int crossrun_q_to_int32(crossrun_quad x);
long long crossrun_q_to_int64(crossrun_quad x);
unsigned int crossrun_q_to_uint32(crossrun_quad x);
unsigned long long crossrun_q_to_uint64(crossrun_quad x);
/// 128-bit integer results as {low, high}.
void crossrun_q_to_int128(crossrun_quad x, unsigned long long out[2]);
void crossrun_q_to_uint128(crossrun_quad x, unsigned long long out[2]);
crossrun_quad crossrun_q_from_int32(int x);
crossrun_quad crossrun_q_from_int64(long long x);
crossrun_quad crossrun_q_from_uint32(unsigned int x);
crossrun_quad crossrun_q_from_uint64(unsigned long long x);
crossrun_quad crossrun_q_from_int128(unsigned long long low, unsigned long long high);
crossrun_quad crossrun_q_from_uint128(unsigned long long low, unsigned long long high);
/// libgcc's __powitf2 (x to an integer power by repeated multiplication).
crossrun_quad crossrun_q_powi(crossrun_quad x, int n);
/// libgcc's __multc3 / __divtc3: (a + bi) * (c + di) and (a + bi) / (c + di); out = {real, imag}.
void crossrun_q_mulc(crossrun_quad a, crossrun_quad b, crossrun_quad c, crossrun_quad d, crossrun_quad out[2]);
void crossrun_q_divc(crossrun_quad a, crossrun_quad b, crossrun_quad c, crossrun_quad d, crossrun_quad out[2]);

/// The libm function behind a one-argument `long double` function of math.h ("sinl" →
/// sinf128), or NULL if there is none; call it with crossrun_q_call1.
const void *crossrun_q_function1(const char *name);
crossrun_quad crossrun_q_call1(const void *function, crossrun_quad x);
/// The same for two-argument functions ("powl" → powf128).
const void *crossrun_q_function2(const char *name);
crossrun_quad crossrun_q_call2(const void *function, crossrun_quad x, crossrun_quad y);

crossrun_quad crossrun_q_fma(crossrun_quad x, crossrun_quad y, crossrun_quad z);
crossrun_quad crossrun_q_frexp(crossrun_quad x, int *exponent);
crossrun_quad crossrun_q_modf(crossrun_quad x, crossrun_quad *integral);
crossrun_quad crossrun_q_remquo(crossrun_quad x, crossrun_quad y, int *quotient);
crossrun_quad crossrun_q_ldexp(crossrun_quad x, int n);
crossrun_quad crossrun_q_scalbln(crossrun_quad x, long n);
crossrun_quad crossrun_q_lgamma(crossrun_quad x, int *sign);
/// Bessel functions of integer order n (jnf128, ynf128) and sincosf128.
crossrun_quad crossrun_q_jn(int n, crossrun_quad x);
crossrun_quad crossrun_q_yn(int n, crossrun_quad x);
void crossrun_q_sincos(crossrun_quad x, crossrun_quad *s, crossrun_quad *c);
int crossrun_q_ilogb(crossrun_quad x);
/// glibc's legacy `scalbl(x, fn)` and `significandl(x)` (= scalbl(x, -ilogbl(x))) in binary128.
crossrun_quad crossrun_q_scalb(crossrun_quad x, crossrun_quad fn);
crossrun_quad crossrun_q_significand(crossrun_quad x);
long long crossrun_q_lrint(crossrun_quad x);
long long crossrun_q_llrint(crossrun_quad x);
long long crossrun_q_lround(crossrun_quad x);
long long crossrun_q_llround(crossrun_quad x);
/// <complex.h>'s long double functions as glibc's *f128 ones ("cexpl" → cexpf128; quadcomplex.c),
/// or NULL for other names. Call with crossrun_q_complex_call: z and w hold two parts each (w is
/// read by cpowl only), out receives two parts (one for cabsl and cargl).
const void *crossrun_q_complex_function(const char *name);
void crossrun_q_complex_call(const void *function, const crossrun_quad z[2], const crossrun_quad w[2], crossrun_quad out[2]);
/// nanl(tag): glibc's nanf128.
crossrun_quad crossrun_q_nan(const char *tag);
/// nexttoward(double, long double) and nexttowardf(float, long double) for binary128 `long double`.
double crossrun_q_nexttoward(double x, crossrun_quad y);
float crossrun_q_nexttowardf(float x, crossrun_quad y);
/// strtold for binary128: glibc's strtof128.
crossrun_quad crossrun_q_strtod(const char *text, char **end);
/// glibc's strfromf128 (format "%[.precision]{aAeEfFgG}" only).
int crossrun_q_strfrom(char *buffer, size_t size, const char *format, crossrun_quad x);

/// One printf conversion of x with libquadmath's quadmath_snprintf; `spec` uses the Q length
/// ("%-+12.5Qe"). Returns the length the full output needs (as snprintf), -1 on a formatting
/// error, or -2 if libquadmath.so.0 cannot be loaded (see crossrun_q_quadmath_error).
int crossrun_q_format(char *buffer, size_t size, const char *spec, crossrun_quad x);
/// Why libquadmath.so.0 could not be loaded, or NULL if it is loaded (or not yet tried).
const char *crossrun_q_quadmath_error(void);
#endif
#endif
