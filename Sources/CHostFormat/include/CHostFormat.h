#ifndef CROSSRUN_CHOSTFORMAT_H
#define CROSSRUN_CHOSTFORMAT_H
#include <stddef.h>

/// One printf conversion formatted by the host's snprintf with a typed argument, so Swift
/// needs no CVarArg boxing per conversion. `spec` is a complete directive ("%-08.3lld").
/// Each returns what snprintf returns: the full length, even when `size` truncated it.
int crossrun_format_i64(char *buf, size_t size, const char *spec, long long value);
int crossrun_format_u64(char *buf, size_t size, const char *spec, unsigned long long value);
int crossrun_format_int(char *buf, size_t size, const char *spec, int value);
int crossrun_format_double(char *buf, size_t size, const char *spec, double value);
int crossrun_format_pointer(char *buf, size_t size, const char *spec, const void *value);
int crossrun_format_x87(char *buf, size_t size, const char *spec, const void *value80);

#endif
