/* No include guard: assert.h may be included again with NDEBUG changed. */
#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
__attribute__((__noreturn__)) void __assert_fail(const char *, const char *, unsigned int, const char *);
#define assert(e) ((e) ? (void)0 : __assert_fail(#e, __FILE__, __LINE__, __func__))
#endif
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__cplusplus)
#undef static_assert
#define static_assert _Static_assert
#endif
