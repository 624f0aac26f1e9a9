#include "CHostFormat.h"
#include <stdio.h>
#include <string.h>

int crossrun_format_i64(char *buf, size_t size, const char *spec, long long value) { return snprintf(buf, size, spec, value); }
int crossrun_format_u64(char *buf, size_t size, const char *spec, unsigned long long value) { return snprintf(buf, size, spec, value); }
int crossrun_format_int(char *buf, size_t size, const char *spec, int value) { return snprintf(buf, size, spec, value); }
int crossrun_format_double(char *buf, size_t size, const char *spec, double value) { return snprintf(buf, size, spec, value); }
int crossrun_format_pointer(char *buf, size_t size, const char *spec, const void *value) { return snprintf(buf, size, spec, value); }

int crossrun_format_x87(char *buf, size_t size, const char *spec, const void *value80) {
#if defined(__x86_64__)
    long double v;
    memcpy(&v, value80, 10);
    return snprintf(buf, size, spec, v);
#else
    (void)value80;
    return snprintf(buf, size, "%s", "?");
#endif
}
