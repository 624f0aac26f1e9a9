// Native `--trace=libc`: a host trampoline per traced import slot (x86-64 hosts).
#ifndef CROSSRUN_NATIVE_TRACE_H
#define CROSSRUN_NATIVE_TRACE_H
#include <stddef.h>
#include <stdint.h>

/// The import is traced (it gets a stub).
#define CROSSRUN_TRACE_WRAP 1
/// The import does not return (`exit`, `longjmp`): its line is printed before the call, `= ?`.
#define CROSSRUN_TRACE_NORETURN 2

/// Formats a call's arguments before it runs; returns a malloc'd string (freed by the tracer)
/// or NULL. `registers`: rdi, rsi, rdx, rcx, r8, r9, rax, index, then xmm0…xmm7 (two words
/// each, low first); `stack`: the address of the first argument passed on the stack.
typedef char *_Nullable (*crossrun_trace_format_fn)(uint32_t index, const uint64_t *_Nonnull registers, uint64_t stack);
/// Prints a call's line. `result`: words 0 rax, 1 rdx, 2–3 xmm0, 4–5 xmm1, 6–9 st0 and st1,
/// 10 how many x87 registers held a result (a `long double` one); NULL when the call does not
/// return to its caller (`= ?`). `error`: errno after the call.
typedef void (*crossrun_trace_report_fn)(uint32_t index, const char *_Nullable arguments, const uint64_t *_Nullable result, int error);

/// Writes one executable stub per import flagged ``CROSSRUN_TRACE_WRAP`` and stores its
/// address in `stubs[i]` (0 for the others). A stub logs the arguments, calls `real[i]` with
/// the registers and stack as the caller left them (variadic calls keep %al), and logs the
/// result through a return trampoline and a per-thread shadow stack. `real` and `flags` are
/// copied. Returns 0, or -1 with errno (ENOTSUP off x86-64 hosts, or the mmap failure).
/// Called once, before the program runs.
int crossrun_native_trace_install(const uint64_t *_Nonnull real, const uint8_t *_Nonnull flags, size_t count,
                                  crossrun_trace_format_fn _Nonnull format, crossrun_trace_report_fn _Nonnull report,
                                  uint64_t *_Nonnull stubs);

/// How many bytes from `address` (at most `limit`) this process can read, probing each page
/// with process_vm_readv: a traced program's pointers are checked before the tracer reads them.
size_t crossrun_native_readable(uint64_t address, size_t limit);

#endif
