/* CrossRun's guest runtime: <complex.h> for emulated images (doc/ARCHITECTURE.md, "Guest
 * runtime"). How a complex value travels differs per target (x86-64: a float complex packed in
 * one xmm register, a long double complex in memory and returned on the x87 stack; aarch64:
 * homogeneous aggregates in s/d/q register pairs; riscv64: fa0/fa1, and a long double complex by
 * reference with a hidden result pointer). Compiled for the target, these entry points leave that
 * to clang: each splits its argument into parts and makes ONE host call with plain arguments —
 * `__crossrun_NAME(re, im, out)` for double and float, `__crossrun_NAMEl(&z, out)` for long
 * double (two parts in memory, in the guest's own long double format) — and the host computes
 * with its libm's NAME, the function a native run calls, so results are bit for bit the same.
 * creal, cimag, conj and cproj need no host: they only move parts (cproj as glibc writes it).
 * Native images bind the host libm's functions directly and never link this file.
 * Every definition is weak: a program's own `cabs` or `conj` (old code has them) wins over this
 * file's without a clash, while the file is still linked for the functions it does not define. */
#define _GNU_SOURCE 1
#include <complex.h>

#define WEAK __attribute__((weak))

/* The host calls (CrossRunLibc's LibcComplex; natively CHostMath's, if an image with this file
 * is run there). `out` receives the real and imaginary parts, or one value for cabs and carg. */
#define DECLARE(name)                                                                              \
    void __crossrun_##name(double re, double im, double *out);                                     \
    void __crossrun_##name##f(float re, float im, float *out);                                     \
    void __crossrun_##name##l(const long double *z, long double *out);

/* Complex to complex. */
#define UNARY(name)                                                                                \
    DECLARE(name)                                                                                  \
    WEAK double _Complex name(double _Complex z) {                                                 \
        double out[2];                                                                             \
        __crossrun_##name(__real__ z, __imag__ z, out);                                            \
        return CMPLX(out[0], out[1]);                                                              \
    }                                                                                              \
    WEAK float _Complex name##f(float _Complex z) {                                                \
        float out[2];                                                                              \
        __crossrun_##name##f(__real__ z, __imag__ z, out);                                         \
        return CMPLXF(out[0], out[1]);                                                             \
    }                                                                                              \
    WEAK long double _Complex name##l(long double _Complex z) {                                    \
        long double _Complex r;                                                                    \
        __crossrun_##name##l((const long double *)&z, (long double *)&r);                          \
        return r;                                                                                  \
    }

/* Complex to real. */
#define REAL(name)                                                                                 \
    DECLARE(name)                                                                                  \
    WEAK double name(double _Complex z) {                                                          \
        double out;                                                                                \
        __crossrun_##name(__real__ z, __imag__ z, &out);                                           \
        return out;                                                                                \
    }                                                                                              \
    WEAK float name##f(float _Complex z) {                                                         \
        float out;                                                                                 \
        __crossrun_##name##f(__real__ z, __imag__ z, &out);                                        \
        return out;                                                                                \
    }                                                                                              \
    WEAK long double name##l(long double _Complex z) {                                             \
        long double out;                                                                           \
        __crossrun_##name##l((const long double *)&z, &out);                                       \
        return out;                                                                                \
    }

UNARY(cacos)
UNARY(casin)
UNARY(catan)
UNARY(ccos)
UNARY(csin)
UNARY(ctan)
UNARY(cacosh)
UNARY(casinh)
UNARY(catanh)
UNARY(ccosh)
UNARY(csinh)
UNARY(ctanh)
UNARY(cexp)
UNARY(clog)
UNARY(clog10)
UNARY(csqrt)
REAL(cabs)
REAL(carg)

/* cpow(z, w): both operands split. */
void __crossrun_cpow(double re, double im, double wre, double wim, double *out);
void __crossrun_cpowf(float re, float im, float wre, float wim, float *out);
void __crossrun_cpowl(const long double *z, const long double *w, long double *out);

WEAK double _Complex cpow(double _Complex z, double _Complex w) {
    double out[2];
    __crossrun_cpow(__real__ z, __imag__ z, __real__ w, __imag__ w, out);
    return CMPLX(out[0], out[1]);
}
WEAK float _Complex cpowf(float _Complex z, float _Complex w) {
    float out[2];
    __crossrun_cpowf(__real__ z, __imag__ z, __real__ w, __imag__ w, out);
    return CMPLXF(out[0], out[1]);
}
WEAK long double _Complex cpowl(long double _Complex z, long double _Complex w) {
    long double _Complex r;
    __crossrun_cpowl((const long double *)&z, (const long double *)&w, (long double *)&r);
    return r;
}

/* The parts themselves: exact, no host call. */
WEAK double creal(double _Complex z) { return __real__ z; }
WEAK float crealf(float _Complex z) { return __real__ z; }
WEAK long double creall(long double _Complex z) { return __real__ z; }
WEAK double cimag(double _Complex z) { return __imag__ z; }
WEAK float cimagf(float _Complex z) { return __imag__ z; }
WEAK long double cimagl(long double _Complex z) { return __imag__ z; }
WEAK double _Complex conj(double _Complex z) { return CMPLX(__real__ z, -__imag__ z); }
WEAK float _Complex conjf(float _Complex z) { return CMPLXF(__real__ z, -__imag__ z); }
WEAK long double _Complex conjl(long double _Complex z) { return CMPLXL(__real__ z, -__imag__ z); }

/* glibc's cproj: an infinite part (even beside a NaN) projects to +inf with the imaginary
 * part's sign on a zero; anything else is returned unchanged. */
WEAK double _Complex cproj(double _Complex z) {
    if (__builtin_isinf(__real__ z) || __builtin_isinf(__imag__ z))
        return CMPLX(__builtin_inf(), __builtin_copysign(0.0, __imag__ z));
    return z;
}
WEAK float _Complex cprojf(float _Complex z) {
    if (__builtin_isinf(__real__ z) || __builtin_isinf(__imag__ z))
        return CMPLXF(__builtin_inff(), __builtin_copysignf(0.0f, __imag__ z));
    return z;
}
WEAK long double _Complex cprojl(long double _Complex z) {
    if (__builtin_isinf(__real__ z) || __builtin_isinf(__imag__ z))
        return CMPLXL(__builtin_infl(), __builtin_copysignl(0.0L, __imag__ z));
    return z;
}
