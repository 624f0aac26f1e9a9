/* CrossRun's guest runtime: x86-64's `__cpu_model`, `__cpu_features2` and `__cpu_indicator_init`,
 * which clang's `__builtin_cpu_supports`/`__builtin_cpu_is`/`__builtin_cpu_init` (and function
 * multiversioning) read and call; libgcc or compiler-rt provide them to native programs.
 * Filled by a constructor from the CPUID instruction run by the guest itself, so the answers are
 * those of the CPU the program runs on: the host's natively, the emulated CPU's under the
 * engine. Feature numbers are the compiler's (one bit per feature: bits 0-31 in
 * `__cpu_model.features`, 32-127 in `__cpu_features2`); the vendor is Intel (1), AMD (2) or
 * other (3); the processor type and subtype are left 0 (unknown), so `__builtin_cpu_is` of a
 * model name is false. */
#if defined(__x86_64__)
#include <cpuid.h>

struct crossrun_cpu_model {
    unsigned int vendor;
    unsigned int type;
    unsigned int subtype;
    unsigned int features[1];
};

struct crossrun_cpu_model __cpu_model;
unsigned int __cpu_features2[3];

/* The compiler's feature numbers (one per `__builtin_cpu_supports` name). */
enum {
    F_CMOV = 0, F_MMX = 1, F_POPCNT = 2, F_SSE = 3, F_SSE2 = 4, F_SSE3 = 5, F_SSSE3 = 6,
    F_SSE4_1 = 7, F_SSE4_2 = 8, F_AVX = 9, F_AVX2 = 10, F_SSE4_A = 11, F_FMA4 = 12, F_XOP = 13,
    F_FMA = 14, F_AVX512F = 15, F_BMI = 16, F_BMI2 = 17, F_AES = 18, F_PCLMUL = 19,
    F_AVX512VL = 20, F_AVX512BW = 21, F_AVX512DQ = 22, F_AVX512CD = 23, F_AVX512VBMI = 26,
    F_AVX512IFMA = 27, F_AVX512VPOPCNTDQ = 30, F_AVX512VBMI2 = 31, F_GFNI = 32,
    F_VPCLMULQDQ = 33, F_AVX512VNNI = 34, F_AVX512BITALG = 35, F_AVX512BF16 = 36,
    F_AVX512VP2INTERSECT = 37, F_ADX = 40, F_CX16 = 46, F_F16C = 49, F_FSGSBASE = 50,
    F_LZCNT = 57, F_MOVBE = 58, F_RDRND = 69, F_RDSEED = 70, F_SHA = 74, F_VAES = 78,
    F_AVXVNNI = 93, F_X86_64 = 95, F_X86_64_V2 = 96, F_X86_64_V3 = 97, F_X86_64_V4 = 98,
};

static void set_feature(unsigned int *words, int feature) {
    words[feature / 32] |= 1u << (feature % 32);
}

static int has(const unsigned int *words, int feature) {
    return (words[feature / 32] >> (feature % 32)) & 1;
}

/* One bit of a CPUID register to a feature. */
struct bit_rule {
    unsigned char reg; /* 0 eax, 1 ebx, 2 ecx, 3 edx */
    unsigned char bit;
    unsigned char feature;
};

static const struct bit_rule leaf1_rules[] = {
    {3, 15, F_CMOV}, {3, 23, F_MMX}, {3, 25, F_SSE}, {3, 26, F_SSE2},
    {2, 0, F_SSE3}, {2, 1, F_PCLMUL}, {2, 9, F_SSSE3}, {2, 13, F_CX16}, {2, 19, F_SSE4_1},
    {2, 20, F_SSE4_2}, {2, 22, F_MOVBE}, {2, 23, F_POPCNT}, {2, 25, F_AES}, {2, 30, F_RDRND},
};
/* Leaf 1 bits that need the OS to save the YMM state. */
static const struct bit_rule leaf1_avx_rules[] = {{2, 28, F_AVX}, {2, 12, F_FMA}, {2, 29, F_F16C}};
static const struct bit_rule leaf7_rules[] = {
    {1, 0, F_FSGSBASE}, {1, 3, F_BMI}, {1, 8, F_BMI2}, {1, 18, F_RDSEED}, {1, 19, F_ADX},
    {1, 29, F_SHA}, {2, 8, F_GFNI},
};
static const struct bit_rule leaf7_avx_rules[] = {{1, 5, F_AVX2}, {2, 9, F_VAES}, {2, 10, F_VPCLMULQDQ}};
static const struct bit_rule leaf7_avx512_rules[] = {
    {1, 16, F_AVX512F}, {1, 17, F_AVX512DQ}, {1, 21, F_AVX512IFMA}, {1, 28, F_AVX512CD},
    {1, 30, F_AVX512BW}, {1, 31, F_AVX512VL}, {2, 1, F_AVX512VBMI}, {2, 6, F_AVX512VBMI2},
    {2, 11, F_AVX512VNNI}, {2, 12, F_AVX512BITALG}, {2, 14, F_AVX512VPOPCNTDQ},
    {3, 8, F_AVX512VP2INTERSECT},
};
static const struct bit_rule ext1_rules[] = {{2, 5, F_LZCNT}, {2, 6, F_SSE4_A}, {2, 11, F_XOP}, {2, 16, F_FMA4}};

static void apply(unsigned int *words, const unsigned int regs[4], const struct bit_rule *rules, unsigned count) {
    for (unsigned i = 0; i < count; i++)
        if ((regs[rules[i].reg] >> rules[i].bit) & 1) set_feature(words, rules[i].feature);
}

#define APPLY(words, regs, rules) apply(words, regs, rules, sizeof(rules) / sizeof(rules[0]))

static int has_all(const unsigned int *words, const int *features, unsigned count) {
    for (unsigned i = 0; i < count; i++)
        if (!has(words, features[i])) return 0;
    return 1;
}

/* Fills `__cpu_model` and `__cpu_features2` once; later calls return at once. Returns 0. */
int __cpu_indicator_init(void) {
    if (__cpu_model.vendor != 0) return 0;
    unsigned int regs[4], max_leaf;
    __cpuid(0, max_leaf, regs[1], regs[2], regs[3]);
    /* The vendor string is EBX, EDX, ECX: "GenuineIntel" / "AuthenticAMD". */
    unsigned int vendor = 3;
    if (regs[1] == 0x756e6547 && regs[3] == 0x49656e69 && regs[2] == 0x6c65746e) vendor = 1;
    if (regs[1] == 0x68747541 && regs[3] == 0x69746e65 && regs[2] == 0x444d4163) vendor = 2;

    unsigned int words[4] = {0, 0, 0, 0};
    int ymm = 0, zmm = 0;
    if (max_leaf >= 1) {
        __cpuid(1, regs[0], regs[1], regs[2], regs[3]);
        APPLY(words, regs, leaf1_rules);
        /* XGETBV is allowed only when the OS set OSXSAVE (ECX bit 27). */
        if ((regs[2] >> 27) & 1) {
            unsigned int xcr0_low, xcr0_high;
            __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
            ymm = (xcr0_low & 0x6) == 0x6;
            zmm = ymm && (xcr0_low & 0xe0) == 0xe0;
        }
        if (ymm) APPLY(words, regs, leaf1_avx_rules);
    }
    if (max_leaf >= 7) {
        unsigned int max_sub;
        __cpuid_count(7, 0, max_sub, regs[1], regs[2], regs[3]);
        regs[0] = max_sub;
        APPLY(words, regs, leaf7_rules);
        if (ymm) APPLY(words, regs, leaf7_avx_rules);
        if (zmm) APPLY(words, regs, leaf7_avx512_rules);
        if (max_sub >= 1) {
            __cpuid_count(7, 1, regs[0], regs[1], regs[2], regs[3]);
            if (ymm && ((regs[0] >> 4) & 1)) set_feature(words, F_AVXVNNI);
            if (zmm && ((regs[0] >> 5) & 1)) set_feature(words, F_AVX512BF16);
        }
    }
    unsigned int max_ext;
    __cpuid(0x80000000, max_ext, regs[1], regs[2], regs[3]);
    int lahf = 0;
    if (max_ext >= 0x80000001) {
        __cpuid(0x80000001, regs[0], regs[1], regs[2], regs[3]);
        APPLY(words, regs, ext1_rules);
        lahf = regs[2] & 1;
    }

    /* The x86-64 micro-architecture levels, each on top of the one before. */
    static const int base[] = {F_CMOV, F_MMX, F_SSE, F_SSE2};
    static const int v2[] = {F_CX16, F_POPCNT, F_SSE3, F_SSE4_1, F_SSE4_2, F_SSSE3};
    static const int v3[] = {F_AVX, F_AVX2, F_BMI, F_BMI2, F_F16C, F_FMA, F_LZCNT, F_MOVBE};
    static const int v4[] = {F_AVX512F, F_AVX512BW, F_AVX512CD, F_AVX512DQ, F_AVX512VL};
    if (has_all(words, base, sizeof base / sizeof base[0])) {
        set_feature(words, F_X86_64);
        if (lahf && has_all(words, v2, sizeof v2 / sizeof v2[0])) {
            set_feature(words, F_X86_64_V2);
            if (has_all(words, v3, sizeof v3 / sizeof v3[0])) {
                set_feature(words, F_X86_64_V3);
                if (has_all(words, v4, sizeof v4 / sizeof v4[0])) set_feature(words, F_X86_64_V4);
            }
        }
    }
    __cpu_model.features[0] = words[0];
    __cpu_features2[0] = words[1];
    __cpu_features2[1] = words[2];
    __cpu_features2[2] = words[3];
    __cpu_model.vendor = vendor;
    return 0;
}

/* Before the program's own constructors, as libgcc's and compiler-rt's. */
__attribute__((constructor(101))) static void crossrun_cpu_init(void) {
    __cpu_indicator_init();
}
#endif
