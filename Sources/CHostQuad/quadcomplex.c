// <complex.h>'s long double functions for guests whose long double is binary128 (aarch64,
// riscv64): glibc's own *f128 complex functions (GLIBC_2.26, the ldbl-128 code those guests'
// glibc runs for cexpl & co.), over values in memory as the guest runtime passes them
// (runtime/complex.c: `__crossrun_NAMEl(const long double *z, [const long double *w,] out)`).
#include "CHostQuad.h"

#if defined(__x86_64__)
#include <string.h>

typedef _Complex __float128 complex_quad;

#define CROSSRUN_Q_UNARY(X) X(cacos) X(casin) X(catan) X(ccos) X(csin) X(ctan) X(cacosh) X(casinh) X(catanh) \
    X(ccosh) X(csinh) X(ctanh) X(cexp) X(clog) X(clog10) X(csqrt)
#define CROSSRUN_Q_REAL(X) X(cabs) X(carg)
#define DECLARE_UNARY(name) complex_quad name##f128(complex_quad);
#define DECLARE_REAL(name) __float128 name##f128(complex_quad);
CROSSRUN_Q_UNARY(DECLARE_UNARY)
CROSSRUN_Q_REAL(DECLARE_REAL)
complex_quad cpowf128(complex_quad, complex_quad);

static complex_quad load(const crossrun_quad z[2]) {
    complex_quad v;
    memcpy(&v, z, sizeof v);
    return v;
}

// One shape for every function: z and w are two parts each, out gets two parts (one for
// cabs and carg); w is ignored but by cpow.
typedef void (*complex_function)(const crossrun_quad *, const crossrun_quad *, crossrun_quad *);
#define DEFINE_UNARY(name)                                                                            \
    static void q_##name(const crossrun_quad *z, const crossrun_quad *w, crossrun_quad *out) {       \
        (void)w;                                                                                    \
        complex_quad r = name##f128(load(z));                                                       \
        memcpy(out, &r, sizeof r);                                                                  \
    }
#define DEFINE_REAL(name)                                                                             \
    static void q_##name(const crossrun_quad *z, const crossrun_quad *w, crossrun_quad *out) {       \
        (void)w;                                                                                    \
        __float128 r = name##f128(load(z));                                                         \
        memcpy(out, &r, sizeof r);                                                                  \
    }
CROSSRUN_Q_UNARY(DEFINE_UNARY)
CROSSRUN_Q_REAL(DEFINE_REAL)
static void q_cpow(const crossrun_quad *z, const crossrun_quad *w, crossrun_quad *out) {
    complex_quad r = cpowf128(load(z), load(w));
    memcpy(out, &r, sizeof r);
}

struct entry { const char *name; complex_function function; };
#define ENTRY(name) { #name "l", q_##name },
static const struct entry entries[] = { CROSSRUN_Q_UNARY(ENTRY) CROSSRUN_Q_REAL(ENTRY) ENTRY(cpow) };

const void *crossrun_q_complex_function(const char *name) {
    for (size_t i = 0; i < sizeof entries / sizeof *entries; i++)
        if (strcmp(entries[i].name, name) == 0) return (const void *)entries[i].function;
    return NULL;
}

void crossrun_q_complex_call(const void *function, const crossrun_quad z[2], const crossrun_quad w[2], crossrun_quad out[2]) {
    ((complex_function)function)(z, w, out);
}
#endif
