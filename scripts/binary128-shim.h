/* Included first (clang -include) when scripts/gen-binary128-expected.sh builds a fixture on
 * the x86-64 host with LD=__float128: the fixture's long double functions become glibc's own
 * binary128 ones (the ldbl-128 code aarch64 and riscv64 glibc use for long double), its LDBL_*
 * constants binary128's, and printf's %La glibc's binary128 formatting (strfromf128). The
 * output is what a native aarch64/riscv64 build prints, computed without CrossRun's code. */
#define _GNU_SOURCE
#include <errno.h>
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef __float128 q128;

#define Q1(X) X(acos) X(asin) X(atan) X(cos) X(sin) X(tan) X(acosh) X(asinh) X(atanh) X(cosh) X(sinh) X(tanh) \
    X(exp) X(exp2) X(expm1) X(log) X(log10) X(log1p) X(log2) X(logb) X(cbrt) X(fabs) X(sqrt) X(erf) X(erfc) \
    X(lgamma) X(tgamma) X(ceil) X(floor) X(nearbyint) X(rint) X(round) X(trunc) X(j0) X(j1) X(y0) X(y1) X(exp10)
#define Q2(X) X(atan2) X(fmod) X(pow) X(hypot) X(remainder) X(copysign) X(nextafter) X(fdim) X(fmax) X(fmin)
#define DECLARE1(name) q128 name##f128(q128);
#define DECLARE2(name) q128 name##f128(q128, q128);
Q1(DECLARE1)
Q2(DECLARE2)
q128 fmaf128(q128, q128, q128);
q128 frexpf128(q128, int *);
q128 ldexpf128(q128, int);
q128 scalbnf128(q128, int);
q128 scalblnf128(q128, long);
q128 modff128(q128, q128 *);
q128 remquof128(q128, q128, int *);
q128 nanf128(const char *);
q128 jnf128(int, q128);
q128 ynf128(int, q128);
q128 lgammaf128_r(q128, int *);
void sincosf128(q128, q128 *, q128 *);
int ilogbf128(q128);
long lroundf128(q128);
long long llroundf128(q128);
long lrintf128(q128);
long long llrintf128(q128);
int strfromf128(char *, size_t, const char *, q128);

#define acosl acosf128
#define asinl asinf128
#define atanl atanf128
#define cosl cosf128
#define sinl sinf128
#define tanl tanf128
#define acoshl acoshf128
#define asinhl asinhf128
#define atanhl atanhf128
#define coshl coshf128
#define sinhl sinhf128
#define tanhl tanhf128
#define expl expf128
#define exp2l exp2f128
#define expm1l expm1f128
#define logl logf128
#define log10l log10f128
#define log1pl log1pf128
#define log2l log2f128
#define logbl logbf128
#define cbrtl cbrtf128
#define fabsl fabsf128
#define sqrtl sqrtf128
#define erfl erff128
#define erfcl erfcf128
#define lgammal lgammaf128
#define tgammal tgammaf128
#define ceill ceilf128
#define floorl floorf128
#define nearbyintl nearbyintf128
#define rintl rintf128
#define roundl roundf128
#define truncl truncf128
#define j0l j0f128
#define j1l j1f128
#define y0l y0f128
#define y1l y1f128
#define exp10l exp10f128
#define atan2l atan2f128
#define fmodl fmodf128
#define powl powf128
#define hypotl hypotf128
#define remainderl remainderf128
#define copysignl copysignf128
#define nextafterl nextafterf128
#define nexttowardl nextafterf128 /* one function when long double is binary128 */
#define fdiml fdimf128
#define fmaxl fmaxf128
#define fminl fminf128
#define fmal fmaf128
#define frexpl frexpf128
#define ldexpl ldexpf128
#define scalbnl scalbnf128
#define scalblnl scalblnf128
#define modfl modff128
#define remquol remquof128
#define nanl nanf128
#define jnl jnf128
#define ynl ynf128
#define lgammal_r lgammaf128_r
#define sincosl sincosf128
#define ilogbl ilogbf128
#define lroundl lroundf128
#define llroundl llroundf128
#define lrintl lrintf128
#define llrintl llrintf128

/* glibc's generic ports (aarch64, riscv64) have FP_ILOGB0 = -INT_MAX, FP_ILOGBNAN = INT_MAX; the
 * host's ilogbf128 returns x86's INT_MIN for both. */
static int q_ilogb(q128 x) {
    int r = ilogbf128(x);
    return r != -2147483647 - 1 ? r : isnan(x) ? 2147483647 : -2147483647;
}
#undef ilogbl
#define ilogbl q_ilogb
#undef FP_ILOGB0
#define FP_ILOGB0 (-2147483647)
#undef FP_ILOGBNAN
#define FP_ILOGBNAN 2147483647

#undef LDBL_MANT_DIG
#define LDBL_MANT_DIG 113
#undef LDBL_MIN
#define LDBL_MIN 0x1p-16382Q
#undef LDBL_TRUE_MIN
#define LDBL_TRUE_MIN 0x1p-16494Q
#undef LDBL_MAX
#define LDBL_MAX 0x1.ffffffffffffffffffffffffffffp+16383Q
#undef LDBL_EPSILON
#define LDBL_EPSILON 0x1p-112Q

/* printf with %La (and %.NLa) taking a __float128; every other conversion as printf's. */
static int q_printf(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    int total = 0;
    for (const char *p = format; *p; ) {
        if (*p != '%') { putchar(*p++); total++; continue; }
        if (p[1] == '%') { putchar('%'); p += 2; total++; continue; }
        const char *start = p++;
        while (*p && strchr("-+ #0", *p)) p++;
        while (*p >= '0' && *p <= '9') p++;
        if (*p == '.') { p++; while (*p >= '0' && *p <= '9') p++; }
        char length[3] = {0};
        while (*p && strchr("hlLzjt", *p) && strlen(length) < 2) length[strlen(length)] = *p++;
        char conversion = *p++;
        char spec[32];
        snprintf(spec, sizeof spec, "%.*s", (int)(p - start), start);
        if (strcmp(length, "L") == 0) {
            /* strfromf128 takes "%[.precision]conversion" only. */
            char plain[32], out[128];
            const char *dot = strchr(spec, '.');
            if (spec[1] != '.' && spec[1] != 'L') abort();
            snprintf(plain, sizeof plain, "%%%.*s%c", dot ? (int)(strchr(spec, 'L') - dot) : 0, dot ? dot : "", conversion);
            strfromf128(out, sizeof out, plain, va_arg(ap, q128));
            total += printf("%s", out);
        } else if (strchr("diouxXc", conversion)) {
            if (strcmp(length, "ll") == 0) total += printf(spec, va_arg(ap, long long));
            else if (length[0] == 'l' || length[0] == 'z' || length[0] == 'j' || length[0] == 't') total += printf(spec, va_arg(ap, long));
            else total += printf(spec, va_arg(ap, int));
        } else if (strchr("aAeEfFgG", conversion)) {
            total += printf(spec, va_arg(ap, double));
        } else if (conversion == 's' || conversion == 'p') {
            total += printf(spec, va_arg(ap, void *));
        } else {
            abort();
        }
    }
    va_end(ap);
    return total;
}
#define printf q_printf
