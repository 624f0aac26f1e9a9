/* CrossRun's guest runtime: riscv64's `__riscv_feature_bits`, which clang's
 * `__builtin_cpu_supports` and function-multiversioning resolvers read,
 * `__riscv_vendor_feature_bits` (vendor extensions; none here), `__riscv_cpu_model`, which
 * `__builtin_cpu_is` compares, and `__init_riscv_feature_bits`, which `__builtin_cpu_init`
 * and the resolvers call (compiler-rt provides them to native programs). Filled by a
 * constructor from `getauxval(AT_HWCAP)`, so the answers are those of the CPU the program
 * runs on: under the engine, the emulated CPU's single-letter extensions. Layouts and bit
 * numbers are read from clang 21's IR: `{ length, features[2] }`; in word 0 a letter's bit is
 * the letter's place in the alphabet (as in AT_HWCAP), the multi-letter extensions follow.
 * The compressed subsets are implied by the letters (C is Zca; C with D adds Zcd), as the
 * ISA defines them; other multi-letter extensions are not reported by the auxiliary vector,
 * so they stay clear. The CPU model (vendor, architecture and implementation ids) stays 0:
 * unknown, so `__builtin_cpu_is` of a named CPU is false. */
#if defined(__riscv)
#include <sys/auxv.h>

struct crossrun_riscv_feature_bits {
    unsigned length;
    unsigned long long features[2];
};

struct crossrun_riscv_vendor_feature_bits {
    unsigned length;
    unsigned long long features[1];
};

struct crossrun_riscv_cpu_model {
    unsigned mvendorid;
    unsigned long long marchid;
    unsigned long long mimpid;
};

struct crossrun_riscv_feature_bits __riscv_feature_bits;
struct crossrun_riscv_vendor_feature_bits __riscv_vendor_feature_bits;
struct crossrun_riscv_cpu_model __riscv_cpu_model;

#define LETTER(c) (1ULL << ((c) - 'a'))
/* The single-letter extensions clang has feature bits for (word 0, bit = letter - 'a'). */
static const unsigned long long letters = LETTER('a') | LETTER('b') | LETTER('c') | LETTER('d') | LETTER('e') |
                                          LETTER('f') | LETTER('h') | LETTER('i') | LETTER('m') | LETTER('q') |
                                          LETTER('v');
/* Word 1's bits for the compressed subsets. */
enum { ZCA = 2, ZCD = 4 };

/* Fills the three globals once; later calls return at once. `platform` (clang passes NULL)
 * is ignored: the auxiliary vector is always at hand. */
void __init_riscv_feature_bits(void *platform) {
    (void)platform;
    if (__riscv_feature_bits.length != 0) return;
    unsigned long long hwcap = getauxval(AT_HWCAP);
    unsigned long long word0 = hwcap & letters, word1 = 0;
    if (hwcap & LETTER('c')) {
        word1 |= 1ULL << ZCA;
        if (hwcap & LETTER('d')) word1 |= 1ULL << ZCD;
    }
    __riscv_feature_bits.features[0] = word0;
    __riscv_feature_bits.features[1] = word1;
    __riscv_vendor_feature_bits.length = 1;
    __riscv_feature_bits.length = 2;
}

/* Before the program's own constructors, as compiler-rt's. */
__attribute__((constructor(101))) static void crossrun_riscv_features_init(void) {
    __init_riscv_feature_bits(0);
}
#endif
