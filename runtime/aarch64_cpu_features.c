/* CrossRun's guest runtime: aarch64's `__aarch64_cpu_features`, which clang's
 * `__builtin_cpu_supports` (and its function-multiversioning resolvers) read, with
 * `__init_cpu_features` and `__init_cpu_features_resolver`, which fill it (compiler-rt
 * provides them to native programs). Filled by a constructor from `getauxval(AT_HWCAP)` and
 * `getauxval(AT_HWCAP2)`, so the answers are those of the CPU the program runs on: under the
 * engine, what the emulated CPU implements at EL0 (CrossRun's auxiliary vector).
 * Each clang feature name tests a mask of feature bits: its own bit and those of the features
 * it depends on (`aes` is fp + simd + aes). The bit numbers are read from clang 21's IR for
 * each name; each bit is set here when the kernel's HWCAP bits for that feature are all set. */
#if defined(__aarch64__)
#include <sys/auxv.h>

struct crossrun_aarch64_cpu_features {
    unsigned long long features;
};

struct crossrun_aarch64_cpu_features __aarch64_cpu_features;

/* One clang feature bit and the Linux HWCAP/HWCAP2 bits that all must be set for it. */
struct feature_rule {
    unsigned char feature;
    unsigned long long hwcap, hwcap2;
};

#define H(bit) (1ULL << (bit))
static const struct feature_rule rules[] = {
    {0, 0, H(16)},            /* rng: HWCAP2_RNG */
    {1, H(27), 0},            /* flagm: HWCAP_FLAGM */
    {2, 0, H(7)},             /* flagm2: HWCAP2_FLAGM2 */
    {3, H(23), 0},            /* fp16fml: HWCAP_ASIMDFHM */
    {4, H(20), 0},            /* dotprod: HWCAP_ASIMDDP */
    {5, H(18) | H(19), 0},    /* sm4: HWCAP_SM3 and HWCAP_SM4 */
    {6, H(12), 0},            /* rdm: HWCAP_ASIMDRDM */
    {7, H(8), 0},             /* lse: HWCAP_ATOMICS */
    {8, H(0), 0},             /* fp: HWCAP_FP */
    {9, H(1), 0},             /* simd: HWCAP_ASIMD */
    {10, H(7), 0},            /* crc: HWCAP_CRC32 */
    {11, 0, H(34)},           /* cssc: HWCAP2_CSSC */
    {12, H(5) | H(6), 0},     /* sha2: HWCAP_SHA1 and HWCAP_SHA2 */
    {13, H(17) | H(21), 0},   /* sha3: HWCAP_SHA3 and HWCAP_SHA512 */
    {15, H(3) | H(4), 0},     /* aes: HWCAP_AES and HWCAP_PMULL */
    {16, H(9) | H(10), 0},    /* fp16: HWCAP_FPHP and HWCAP_ASIMDHP */
    {17, H(24), 0},           /* dit: HWCAP_DIT */
    {18, H(16), 0},           /* dpb: HWCAP_DCPOP */
    {19, 0, H(0)},            /* dpb2: HWCAP2_DCPODP */
    {20, H(13), 0},           /* jscvt: HWCAP_JSCVT */
    {21, H(14), 0},           /* fcma: HWCAP_FCMA */
    {22, H(15), 0},           /* rcpc: HWCAP_LRCPC */
    {23, H(26), 0},           /* rcpc2: HWCAP_ILRCPC */
    {24, 0, H(8)},            /* frintts: HWCAP2_FRINT */
    {26, 0, H(13)},           /* i8mm: HWCAP2_I8MM */
    {27, 0, H(14)},           /* bf16: HWCAP2_BF16 */
    {30, H(22), 0},           /* sve: HWCAP_SVE */
    {34, 0, H(10)},           /* f32mm: HWCAP2_SVEF32MM */
    {35, 0, H(11)},           /* f64mm: HWCAP2_SVEF64MM */
    {36, 0, H(1)},            /* sve2: HWCAP2_SVE2 */
    {38, 0, H(2) | H(3)},     /* sve2-aes: HWCAP2_SVEAES and HWCAP2_SVEPMULL */
    {39, 0, H(4)},            /* sve2-bitperm: HWCAP2_SVEBITPERM */
    {40, 0, H(5)},            /* sve2-sha3: HWCAP2_SVESHA3 */
    {41, 0, H(6)},            /* sve2-sm4: HWCAP2_SVESM4 */
    {42, 0, H(23)},           /* sme: HWCAP2_SME */
    {44, 0, H(18)},           /* memtag: HWCAP2_MTE */
    {46, H(29), 0},           /* sb: HWCAP_SB */
    {49, H(28), 0},           /* ssbs: HWCAP_SSBS */
    {50, 0, H(17)},           /* bti: HWCAP2_BTI */
    {54, 0, H(31)},           /* wfxt: HWCAP2_WFXT */
    {55, 0, H(25)},           /* sme-f64f64: HWCAP2_SME_F64F64 */
    {56, 0, H(24)},           /* sme-i16i64: HWCAP2_SME_I16I64 */
    {57, 0, H(37)},           /* sme2: HWCAP2_SME2 */
    {58, 0, H(46)},           /* rcpc3: HWCAP2_LRCPC3 */
    {59, 0, H(43)},           /* mops: HWCAP2_MOPS */
};
#undef H

static int initialized;

/* The features of `hwcap`/`hwcap2` as clang's bits. */
static unsigned long long features_of(unsigned long long hwcap, unsigned long long hwcap2) {
    unsigned long long features = 0;
    for (unsigned i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if ((hwcap & rules[i].hwcap) == rules[i].hwcap && (hwcap2 & rules[i].hwcap2) == rules[i].hwcap2)
            features |= 1ULL << rules[i].feature;
    return features;
}

/* Fills `__aarch64_cpu_features` once; later calls return at once. */
void __init_cpu_features(void) {
    if (initialized) return;
    __aarch64_cpu_features.features = features_of(getauxval(AT_HWCAP), getauxval(AT_HWCAP2));
    initialized = 1;
}

/* What clang's multiversioning resolvers call (with no arguments of their own: a dynamic
 * loader's hwcap and argument block pass through). Both are ignored here; the auxiliary
 * vector is always at hand. */
void __init_cpu_features_resolver(unsigned long hwcap, const void *arg) {
    (void)hwcap;
    (void)arg;
    __init_cpu_features();
}

/* Before the program's own constructors, as compiler-rt's. */
__attribute__((constructor(101))) static void crossrun_cpu_features_init(void) {
    __init_cpu_features();
}
#endif
