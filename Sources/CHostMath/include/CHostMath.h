// Host implementations of compiler helpers Swift cannot express directly (complex returns):
// they call the host's own libgcc routines, so guests get bit-identical results.
#ifndef CROSSRUN_HOST_MATH_H
#define CROSSRUN_HOST_MATH_H
/// (a + bi) * (c + di) and (a + bi) / (c + di) as libgcc computes them; out = {real, imag}.
void crossrun_muldc3(double a, double b, double c, double d, double out[2]);
void crossrun_divdc3(double a, double b, double c, double d, double out[2]);
void crossrun_mulsc3(float a, float b, float c, float d, float out[2]);
void crossrun_divsc3(float a, float b, float c, float d, float out[2]);
#endif
