// Host implementations of compiler helpers Swift cannot express directly (complex returns):
// they call the host's own libgcc routines, so guests get bit-identical results.
#ifndef CROSSRUN_HOST_MATH_H
#define CROSSRUN_HOST_MATH_H
/// (a + bi) * (c + di) and (a + bi) / (c + di) as libgcc computes them; out = {real, imag}.
void crossrun_muldc3(double a, double b, double c, double d, double out[2]);
void crossrun_divdc3(double a, double b, double c, double d, double out[2]);
void crossrun_mulsc3(float a, float b, float c, float d, float out[2]);
void crossrun_divsc3(float a, float b, float c, float d, float out[2]);

/// <complex.h>'s functions computed by the host libm (hostcomplex.c), by name ("cexp", "cexpf",
/// "cexpl"; NULL for other names), each with the signature of the guest runtime's host call
/// `__crossrun_NAME` (runtime/complex.c): double and float take (re, im, out) — cpow (re, im,
/// wre, wim, out) — and long double (const long double z[2], [const long double w[2],] out).
/// `out` gets the two parts, or for cabs and carg one value.
const void *crossrun_complex_function(const char *name);
#endif

#if defined(__x86_64__)
/// x87 long double helpers (x86-64 hosts only): values travel as the 10-byte x87 format in
/// 16-byte buffers; 128-bit integers as {low, high}.
void crossrun_fixxfti(const void *x, unsigned long long out[2]);
void crossrun_fixunsxfti(const void *x, unsigned long long out[2]);
void crossrun_floattixf(unsigned long long low, unsigned long long high, void *out);
void crossrun_floatuntixf(unsigned long long low, unsigned long long high, void *out);
void crossrun_powixf2(const void *x, int n, void *out);
void crossrun_mulxc3(const void *a, const void *b, const void *c, const void *d, void *real, void *imag);
void crossrun_divxc3(const void *a, const void *b, const void *c, const void *d, void *real, void *imag);
#endif
