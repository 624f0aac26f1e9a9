/* The README's sample: a small program that exercises the whole pipeline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local int calls;

static int compare(const void *a, const void *b) {
    calls++;
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv) {
    printf("Hello from CrossRun! argc=%d\n", argc);
    qsort(argv + 1, (size_t)(argc - 1), sizeof *argv, compare);
    for (int i = 1; i < argc; i++) printf("  argv (sorted) %d: %s\n", i, argv[i]);
    printf("%d comparisons, pi ~ %.5f\n", calls, 355.0 / 113.0);
    return EXIT_SUCCESS;
}
