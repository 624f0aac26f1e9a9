#include "CHostQuad.h"

#if defined(__x86_64__)
#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef __float128 quad;

// libgcc's soft-fp (libgcc_s.so.1): the routines a guest's own libgcc would run.
quad __addtf3(quad, quad);
quad __subtf3(quad, quad);
quad __multf3(quad, quad);
quad __divtf3(quad, quad);
quad __negtf2(quad);
int __eqtf2(quad, quad);
int __netf2(quad, quad);
int __lttf2(quad, quad);
int __letf2(quad, quad);
int __gttf2(quad, quad);
int __getf2(quad, quad);
int __unordtf2(quad, quad);
quad __extenddftf2(double);
quad __extendsftf2(float);
double __trunctfdf2(quad);
float __trunctfsf2(quad);
int __fixtfsi(quad);
long long __fixtfdi(quad);
__int128 __fixtfti(quad);
unsigned int __fixunstfsi(quad);
unsigned long long __fixunstfdi(quad);
unsigned __int128 __fixunstfti(quad);
quad __floatsitf(int);
quad __floatditf(long long);
quad __floattitf(__int128);
quad __floatunsitf(unsigned int);
quad __floatunditf(unsigned long long);
quad __floatuntitf(unsigned __int128);
quad __powitf2(quad, int);
_Complex __float128 __multc3(quad, quad, quad, quad);
_Complex __float128 __divtc3(quad, quad, quad, quad);

// glibc's libm/libc binary128 functions (GLIBC_2.26): the ldbl-128 code aarch64 glibc uses
// for `long double`.
#define UNARY(X) X(acos) X(asin) X(atan) X(cos) X(sin) X(tan) X(acosh) X(asinh) X(atanh) X(cosh) X(sinh) \
    X(tanh) X(exp) X(exp2) X(expm1) X(log) X(log10) X(log1p) X(log2) X(logb) X(cbrt) X(fabs) X(sqrt) X(erf) \
    X(erfc) X(lgamma) X(tgamma) X(ceil) X(floor) X(nearbyint) X(rint) X(round) X(trunc) \
    X(j0) X(j1) X(y0) X(y1) X(exp10)
#define BINARY(X) X(atan2) X(fmod) X(pow) X(hypot) X(remainder) X(copysign) X(nextafter) X(fdim) X(fmax) X(fmin)
#define DECLARE1(name) quad name##f128(quad);
#define DECLARE2(name) quad name##f128(quad, quad);
UNARY(DECLARE1)
BINARY(DECLARE2)
quad fmaf128(quad, quad, quad);
quad frexpf128(quad, int *);
quad modff128(quad, quad *);
quad remquof128(quad, quad, int *);
quad ldexpf128(quad, int);
quad scalblnf128(quad, long);
quad lgammaf128_r(quad, int *);
quad jnf128(int, quad);
quad ynf128(int, quad);
void sincosf128(quad, quad *, quad *);
int ilogbf128(quad);
long lrintf128(quad);
long long llrintf128(quad);
long lroundf128(quad);
long long llroundf128(quad);
quad nanf128(const char *);
quad strtof128(const char *, char **);
int strfromf128(char *, size_t, const char *, quad);

static quad q(crossrun_quad v) { quad r; memcpy(&r, &v, sizeof r); return r; }
static crossrun_quad w(quad v) { crossrun_quad r; memcpy(&r, &v, sizeof r); return r; }
static void split(unsigned __int128 v, unsigned long long out[2]) {
    out[0] = (unsigned long long)v; out[1] = (unsigned long long)(v >> 64);
}

crossrun_quad crossrun_q_add(crossrun_quad a, crossrun_quad b) { return w(__addtf3(q(a), q(b))); }
crossrun_quad crossrun_q_sub(crossrun_quad a, crossrun_quad b) { return w(__subtf3(q(a), q(b))); }
crossrun_quad crossrun_q_mul(crossrun_quad a, crossrun_quad b) { return w(__multf3(q(a), q(b))); }
crossrun_quad crossrun_q_div(crossrun_quad a, crossrun_quad b) { return w(__divtf3(q(a), q(b))); }
crossrun_quad crossrun_q_neg(crossrun_quad a) { return w(__negtf2(q(a))); }
int crossrun_q_eq(crossrun_quad a, crossrun_quad b) { return __eqtf2(q(a), q(b)); }
int crossrun_q_ne(crossrun_quad a, crossrun_quad b) { return __netf2(q(a), q(b)); }
int crossrun_q_lt(crossrun_quad a, crossrun_quad b) { return __lttf2(q(a), q(b)); }
int crossrun_q_le(crossrun_quad a, crossrun_quad b) { return __letf2(q(a), q(b)); }
int crossrun_q_gt(crossrun_quad a, crossrun_quad b) { return __gttf2(q(a), q(b)); }
int crossrun_q_ge(crossrun_quad a, crossrun_quad b) { return __getf2(q(a), q(b)); }
int crossrun_q_unord(crossrun_quad a, crossrun_quad b) { return __unordtf2(q(a), q(b)); }
crossrun_quad crossrun_q_from_double(double x) { return w(__extenddftf2(x)); }
crossrun_quad crossrun_q_from_float(float x) { return w(__extendsftf2(x)); }
double crossrun_q_to_double(crossrun_quad x) { return __trunctfdf2(q(x)); }
float crossrun_q_to_float(crossrun_quad x) { return __trunctfsf2(q(x)); }
int crossrun_q_to_int32(crossrun_quad x) { return __fixtfsi(q(x)); }
long long crossrun_q_to_int64(crossrun_quad x) { return __fixtfdi(q(x)); }
unsigned int crossrun_q_to_uint32(crossrun_quad x) { return __fixunstfsi(q(x)); }
unsigned long long crossrun_q_to_uint64(crossrun_quad x) { return __fixunstfdi(q(x)); }
void crossrun_q_to_int128(crossrun_quad x, unsigned long long out[2]) { split((unsigned __int128)__fixtfti(q(x)), out); }
void crossrun_q_to_uint128(crossrun_quad x, unsigned long long out[2]) { split(__fixunstfti(q(x)), out); }
crossrun_quad crossrun_q_from_int32(int x) { return w(__floatsitf(x)); }
crossrun_quad crossrun_q_from_int64(long long x) { return w(__floatditf(x)); }
crossrun_quad crossrun_q_from_uint32(unsigned int x) { return w(__floatunsitf(x)); }
crossrun_quad crossrun_q_from_uint64(unsigned long long x) { return w(__floatunditf(x)); }
crossrun_quad crossrun_q_from_int128(unsigned long long low, unsigned long long high) {
    return w(__floattitf((__int128)(((unsigned __int128)high << 64) | low)));
}
crossrun_quad crossrun_q_from_uint128(unsigned long long low, unsigned long long high) {
    return w(__floatuntitf(((unsigned __int128)high << 64) | low));
}
crossrun_quad crossrun_q_powi(crossrun_quad x, int n) { return w(__powitf2(q(x), n)); }
void crossrun_q_mulc(crossrun_quad a, crossrun_quad b, crossrun_quad c, crossrun_quad d, crossrun_quad out[2]) {
    _Complex __float128 r = __multc3(q(a), q(b), q(c), q(d));
    out[0] = w(__real__ r); out[1] = w(__imag__ r);
}
void crossrun_q_divc(crossrun_quad a, crossrun_quad b, crossrun_quad c, crossrun_quad d, crossrun_quad out[2]) {
    _Complex __float128 r = __divtc3(q(a), q(b), q(c), q(d));
    out[0] = w(__real__ r); out[1] = w(__imag__ r);
}

typedef quad (*function1)(quad);
typedef quad (*function2)(quad, quad);
struct named1 { const char *name; function1 function; };
struct named2 { const char *name; function2 function; };
#define ENTRY(name) { #name "l", name##f128 },
static const struct named1 unary[] = { UNARY(ENTRY) };
static const struct named2 binary[] = { BINARY(ENTRY) { "nexttowardl", nextafterf128 } };

const void *crossrun_q_function1(const char *name) {
    for (size_t i = 0; i < sizeof unary / sizeof *unary; i++)
        if (strcmp(unary[i].name, name) == 0) return (const void *)unary[i].function;
    return NULL;
}
crossrun_quad crossrun_q_call1(const void *function, crossrun_quad x) { return w(((function1)function)(q(x))); }
const void *crossrun_q_function2(const char *name) {
    for (size_t i = 0; i < sizeof binary / sizeof *binary; i++)
        if (strcmp(binary[i].name, name) == 0) return (const void *)binary[i].function;
    return NULL;
}
crossrun_quad crossrun_q_call2(const void *function, crossrun_quad x, crossrun_quad y) {
    return w(((function2)function)(q(x), q(y)));
}

crossrun_quad crossrun_q_fma(crossrun_quad x, crossrun_quad y, crossrun_quad z) { return w(fmaf128(q(x), q(y), q(z))); }
crossrun_quad crossrun_q_frexp(crossrun_quad x, int *exponent) { return w(frexpf128(q(x), exponent)); }
crossrun_quad crossrun_q_modf(crossrun_quad x, crossrun_quad *integral) {
    quad i = 0;
    quad r = modff128(q(x), &i);
    *integral = w(i);
    return w(r);
}
crossrun_quad crossrun_q_remquo(crossrun_quad x, crossrun_quad y, int *quotient) { return w(remquof128(q(x), q(y), quotient)); }
crossrun_quad crossrun_q_ldexp(crossrun_quad x, int n) { return w(ldexpf128(q(x), n)); }
crossrun_quad crossrun_q_scalbln(crossrun_quad x, long n) { return w(scalblnf128(q(x), n)); }
crossrun_quad crossrun_q_lgamma(crossrun_quad x, int *sign) { return w(lgammaf128_r(q(x), sign)); }
crossrun_quad crossrun_q_jn(int n, crossrun_quad x) { return w(jnf128(n, q(x))); }
crossrun_quad crossrun_q_yn(int n, crossrun_quad x) { return w(ynf128(n, q(x))); }
void crossrun_q_sincos(crossrun_quad x, crossrun_quad *s, crossrun_quad *c) {
    quad qs = 0, qc = 0;
    sincosf128(q(x), &qs, &qc);
    *s = w(qs); *c = w(qc);
}
int crossrun_q_ilogb(crossrun_quad x) { return ilogbf128(q(x)); }

/* glibc's legacy scalbl and significandl (math/e_scalb.c, s_significand.c) in binary128:
   glibc has no *f128 form of either, so its generic algorithm over the f128 primitives. */
crossrun_quad crossrun_q_scalb(crossrun_quad xv, crossrun_quad fv) {
    quad x = q(xv), fn = q(fv);
    if (isnan(x)) return w(x * fn);
    if (!isfinite(fn)) {
        if (isnan(fn) || fn > 0) return w(x * fn);
        if (x == 0) return w(x);
        return w(x / -fn);
    }
    if (fabsf128(fn) >= 0x1p31Q || (quad)(int)fn != fn) {
        if (rintf128(fn) != fn) return w((fn - fn) / (fn - fn));
        return w(ldexpf128(x, fn > 65000 ? 65000 : -65000));
    }
    return w(ldexpf128(x, (int)fn));
}
crossrun_quad crossrun_q_significand(crossrun_quad x) {
    /* The guest's (generic port's) ilogb: -INT_MAX for 0, INT_MAX for NaN (the host's says INT_MIN). */
    int e = ilogbf128(q(x));
    if (e == INT_MIN) e = isnan(q(x)) ? INT_MAX : -INT_MAX;
    return crossrun_q_scalb(x, w((quad)-e));
}
long long crossrun_q_lrint(crossrun_quad x) { return lrintf128(q(x)); }
long long crossrun_q_llrint(crossrun_quad x) { return llrintf128(q(x)); }
long long crossrun_q_lround(crossrun_quad x) { return lroundf128(q(x)); }
long long crossrun_q_llround(crossrun_quad x) { return llroundf128(q(x)); }
crossrun_quad crossrun_q_nan(const char *tag) { return w(nanf128(tag)); }

// glibc's ldbl-128 nexttoward: NaNs propagate, equal values give y, otherwise x moves one ulp
// toward y (zero to the smallest subnormal of y's sign).
double crossrun_q_nexttoward(double x, crossrun_quad y) {
    quad qy = q(y);
    if (isnan(x) || __unordtf2(qy, qy)) return __trunctfdf2(__addtf3(__extenddftf2(x), qy));
    if (__eqtf2(__extenddftf2(x), qy) == 0) return __trunctfdf2(qy);
    return nextafter(x, __lttf2(__extenddftf2(x), qy) < 0 ? INFINITY : -INFINITY);
}
float crossrun_q_nexttowardf(float x, crossrun_quad y) {
    quad qy = q(y);
    if (isnan(x) || __unordtf2(qy, qy)) return __trunctfsf2(__addtf3(__extendsftf2(x), qy));
    if (__eqtf2(__extendsftf2(x), qy) == 0) return __trunctfsf2(qy);
    return nextafterf(x, __lttf2(__extendsftf2(x), qy) < 0 ? INFINITY : -INFINITY);
}

crossrun_quad crossrun_q_strtod(const char *text, char **end) { return w(strtof128(text, end)); }
int crossrun_q_strfrom(char *buffer, size_t size, const char *format, crossrun_quad x) {
    return strfromf128(buffer, size, format, q(x));
}

// libquadmath, loaded on first use: no link-time dependency on it.
typedef int (*quadmath_snprintf_t)(char *, size_t, const char *, ...);
static quadmath_snprintf_t quadmath_snprintf_fn;
static char quadmath_error[256];
static pthread_once_t quadmath_once = PTHREAD_ONCE_INIT;

static void load_quadmath(void) {
    void *handle = dlopen("libquadmath.so.0", RTLD_NOW | RTLD_LOCAL);
    if (handle) quadmath_snprintf_fn = (quadmath_snprintf_t)dlsym(handle, "quadmath_snprintf");
    if (!quadmath_snprintf_fn) {
        const char *why = dlerror();
        snprintf(quadmath_error, sizeof quadmath_error, "%s", why ? why : "libquadmath.so.0: quadmath_snprintf not found");
    }
}

int crossrun_q_format(char *buffer, size_t size, const char *spec, crossrun_quad x) {
    pthread_once(&quadmath_once, load_quadmath);
    if (!quadmath_snprintf_fn) return -2;
    return quadmath_snprintf_fn(buffer, size, spec, q(x));
}

const char *crossrun_q_quadmath_error(void) { return quadmath_error[0] ? quadmath_error : NULL; }
#endif
