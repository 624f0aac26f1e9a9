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
