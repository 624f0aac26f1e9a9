// <complex.h> for guests, computed by the host libm's own functions: each entry has the
// signature of the guest runtime's host call (runtime/complex.c), so the emulator calls it with
// the parts it read from guest registers and memory, and the native loader binds the same
// symbols directly (an image linked with runtime/complex.c then runs natively too).
#define _GNU_SOURCE 1
#include <complex.h>
#include <string.h>
#include "CHostMath.h"

// Complex to complex (clog10 is GNU's), complex to real.
#define CROSSRUN_UNARY(X) X(cacos) X(casin) X(catan) X(ccos) X(csin) X(ctan) X(cacosh) X(casinh) X(catanh) \
    X(ccosh) X(csinh) X(ctanh) X(cexp) X(clog) X(clog10) X(csqrt)
#define CROSSRUN_REAL(X) X(cabs) X(carg)

// __builtin_complex, not x + y*I: exact for infinities, NaNs and signed zeros.
#define DEFINE_UNARY(name)                                                                            \
    void crossrun_complex_##name(double re, double im, double out[2]) {                             \
        double _Complex r = name(__builtin_complex(re, im));                                        \
        out[0] = __real__ r; out[1] = __imag__ r;                                                   \
    }                                                                                               \
    void crossrun_complex_##name##f(float re, float im, float out[2]) {                             \
        float _Complex r = name##f(__builtin_complex(re, im));                                      \
        out[0] = __real__ r; out[1] = __imag__ r;                                                   \
    }                                                                                               \
    void crossrun_complex_##name##l(const long double z[2], long double out[2]) {                   \
        long double _Complex r = name##l(__builtin_complex(z[0], z[1]));                            \
        out[0] = __real__ r; out[1] = __imag__ r;                                                   \
    }
#define DEFINE_REAL(name)                                                                             \
    void crossrun_complex_##name(double re, double im, double *out) { *out = name(__builtin_complex(re, im)); } \
    void crossrun_complex_##name##f(float re, float im, float *out) { *out = name##f(__builtin_complex(re, im)); } \
    void crossrun_complex_##name##l(const long double z[2], long double *out) {                      \
        *out = name##l(__builtin_complex(z[0], z[1]));                                               \
    }
CROSSRUN_UNARY(DEFINE_UNARY)
CROSSRUN_REAL(DEFINE_REAL)

void crossrun_complex_cpow(double re, double im, double wre, double wim, double out[2]) {
    double _Complex r = cpow(__builtin_complex(re, im), __builtin_complex(wre, wim));
    out[0] = __real__ r; out[1] = __imag__ r;
}
void crossrun_complex_cpowf(float re, float im, float wre, float wim, float out[2]) {
    float _Complex r = cpowf(__builtin_complex(re, im), __builtin_complex(wre, wim));
    out[0] = __real__ r; out[1] = __imag__ r;
}
void crossrun_complex_cpowl(const long double z[2], const long double w[2], long double out[2]) {
    long double _Complex r = cpowl(__builtin_complex(z[0], z[1]), __builtin_complex(w[0], w[1]));
    out[0] = __real__ r; out[1] = __imag__ r;
}

struct crossrun_complex_entry { const char *name; const void *function; };
#define ENTRY(name) { #name, (const void *)crossrun_complex_##name }, { #name "f", (const void *)crossrun_complex_##name##f }, \
    { #name "l", (const void *)crossrun_complex_##name##l },
static const struct crossrun_complex_entry entries[] = { CROSSRUN_UNARY(ENTRY) CROSSRUN_REAL(ENTRY) ENTRY(cpow) };

const void *crossrun_complex_function(const char *name) {
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        if (strcmp(entries[i].name, name) == 0) return entries[i].function;
    }
    return 0;
}
