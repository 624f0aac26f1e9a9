/* A small parser-style fuzz harness: a "TLV" stream (type byte, length byte, value) behind a
 * 4-byte magic, with a planted bug for a value longer than its record buffer. Used by
 * scripts/bench.py --fuzz and as an example: crossrun fuzz --target rv64 samples/fuzz/parser_fuzz.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct record { uint8_t type; char value[16]; };

static int parse(const uint8_t *p, size_t n, struct record *out, int max) {
    int count = 0;
    while (n >= 2 && count < max) {
        uint8_t type = p[0], len = p[1];
        p += 2; n -= 2;
        if (len > n) return -1;
        if (type == 0) break;
        out[count].type = type;
        if (type == 'S' && len > 0 && p[0] == '!') memcpy(out[count].value, p, len);   /* the bug: len may exceed 16 */
        else memcpy(out[count].value, p, len < 16 ? len : 16);
        p += len; n -= len;
        count++;
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4 || memcmp(data, "TLV1", 4) != 0) return 0;
    struct record *records = malloc(8 * sizeof *records);
    int n = parse(data + 4, size - 4, records, 8);
    int sum = 0;
    for (int i = 0; i < n; i++) sum += records[i].type;
    free(records);
    return sum == -1;
}
