#include "CHostMath.h"

double _Complex __muldc3(double, double, double, double);
double _Complex __divdc3(double, double, double, double);
float _Complex __mulsc3(float, float, float, float);
float _Complex __divsc3(float, float, float, float);

void crossrun_muldc3(double a, double b, double c, double d, double out[2]) {
    double _Complex r = __muldc3(a, b, c, d);
    out[0] = __real__ r; out[1] = __imag__ r;
}
void crossrun_divdc3(double a, double b, double c, double d, double out[2]) {
    double _Complex r = __divdc3(a, b, c, d);
    out[0] = __real__ r; out[1] = __imag__ r;
}
void crossrun_mulsc3(float a, float b, float c, float d, float out[2]) {
    float _Complex r = __mulsc3(a, b, c, d);
    out[0] = __real__ r; out[1] = __imag__ r;
}
void crossrun_divsc3(float a, float b, float c, float d, float out[2]) {
    float _Complex r = __divsc3(a, b, c, d);
    out[0] = __real__ r; out[1] = __imag__ r;
}

#if defined(__x86_64__)
#include <string.h>
__int128 __fixxfti(long double);
unsigned __int128 __fixunsxfti(long double);
long double __floattixf(__int128);
long double __floatuntixf(unsigned __int128);
long double __powixf2(long double, int);
long double _Complex __mulxc3(long double, long double, long double, long double);
long double _Complex __divxc3(long double, long double, long double, long double);

static long double ld(const void *p) { long double v = 0; memcpy(&v, p, 10); return v; }
static void put(void *p, long double v) { memset(p, 0, 16); memcpy(p, &v, 10); }

void crossrun_fixxfti(const void *x, unsigned long long out[2]) {
    unsigned __int128 r = (unsigned __int128)__fixxfti(ld(x));
    out[0] = (unsigned long long)r; out[1] = (unsigned long long)(r >> 64);
}
void crossrun_fixunsxfti(const void *x, unsigned long long out[2]) {
    unsigned __int128 r = __fixunsxfti(ld(x));
    out[0] = (unsigned long long)r; out[1] = (unsigned long long)(r >> 64);
}
void crossrun_floattixf(unsigned long long low, unsigned long long high, void *out) {
    put(out, __floattixf((__int128)(((unsigned __int128)high << 64) | low)));
}
void crossrun_floatuntixf(unsigned long long low, unsigned long long high, void *out) {
    put(out, __floatuntixf(((unsigned __int128)high << 64) | low));
}
void crossrun_powixf2(const void *x, int n, void *out) { put(out, __powixf2(ld(x), n)); }
void crossrun_mulxc3(const void *a, const void *b, const void *c, const void *d, void *real, void *imag) {
    long double _Complex r = __mulxc3(ld(a), ld(b), ld(c), ld(d));
    put(real, __real__ r); put(imag, __imag__ r);
}
void crossrun_divxc3(const void *a, const void *b, const void *c, const void *d, void *real, void *imag) {
    long double _Complex r = __divxc3(ld(a), ld(b), ld(c), ld(d));
    put(real, __real__ r); put(imag, __imag__ r);
}
#endif
