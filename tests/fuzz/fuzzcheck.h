#pragma once

#include <cstdio>
#include <cstdlib>

// A promise of the code under test that the input broke. abort() makes libFuzzer keep and
// report the input like a crash; the text says which promise it was.
#define FUZZ_REQUIRE(condition)                                                                    \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "%s:%d: FUZZ_REQUIRE(%s) failed\n", __FILE__, __LINE__,           \
                         #condition);                                                              \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)
