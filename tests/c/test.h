/* A minimal test harness: checks survive NDEBUG, failures print file:line,
 * and the run ends with the line "N passed, N failed" that CI reads. */
#ifndef OX_TEST_H
#define OX_TEST_H

#include <stdio.h>
#include <string.h>

extern int ox_test_failed_checks;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            ox_test_failed_checks++;                                             \
        }                                                                        \
    } while (0)
#define CHECK_EQ_INT(a, b)                                                       \
    do {                                                                         \
        long long ox_a_ = (long long)(a), ox_b_ = (long long)(b);                \
        if (ox_a_ != ox_b_) {                                                    \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__,  \
                    __LINE__, #a, #b, ox_a_, ox_b_);                             \
            ox_test_failed_checks++;                                             \
        }                                                                        \
    } while (0)
#define CHECK_STR(a, b)                                                          \
    do {                                                                         \
        const char *ox_a_ = (a), *ox_b_ = (b);                                   \
        if (!ox_a_ || !ox_b_ || strcmp(ox_a_, ox_b_) != 0) {                     \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n",        \
                    __FILE__, __LINE__, #a, #b, ox_a_ ? ox_a_ : "(null)",        \
                    ox_b_ ? ox_b_ : "(null)");                                   \
            ox_test_failed_checks++;                                             \
        }                                                                        \
    } while (0)
/* substring check, for error messages */
#define CHECK_CONTAINS(hay, needle)                                              \
    do {                                                                         \
        const char *ox_h_ = (hay);                                               \
        if (!ox_h_ || !strstr(ox_h_, (needle))) {                                \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, \
                    __LINE__, ox_h_ ? ox_h_ : "(null)", (needle));               \
            ox_test_failed_checks++;                                             \
        }                                                                        \
    } while (0)

typedef void (*ox_test_fn)(void);
typedef struct { const char *name; ox_test_fn fn; } ox_test_case;

/* Each test program defines `static const ox_test_case tests[]` and ends with
 * OX_TEST_MAIN(tests). */
#define OX_TEST_MAIN(cases)                                                      \
    int ox_test_failed_checks = 0;                                               \
    int main(void)                                                               \
    {                                                                            \
        int passed = 0, failed = 0;                                              \
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {         \
            int before = ox_test_failed_checks;                                  \
            cases[i].fn();                                                       \
            if (ox_test_failed_checks == before) passed++;                       \
            else { failed++; fprintf(stderr, "FAIL %s\n", cases[i].name); }      \
        }                                                                        \
        printf("%d passed, %d failed\n", passed, failed);                        \
        return failed ? 1 : 0;                                                   \
    }

#endif
