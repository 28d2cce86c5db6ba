// DBX_ASSERT: an invariant check that stays on in every build.
//
// Plain assert() is for checks too costly for production (they run in the
// test and torture builds, which keep NDEBUG off: see DBX_ASSERTIONS). Use
// DBX_ASSERT for cheap invariants whose violation would corrupt data or hide
// a bug if execution went on: it prints where and what failed, then aborts,
// whatever NDEBUG says. Header-only and free of dependencies, so the engine
// and the lab both use it without either linking the other.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace faultfs::detail {

// Out of line and cold so that each DBX_ASSERT costs one predicted branch.
[[noreturn, gnu::cold, gnu::noinline]] inline void assertion_failed(const char* expression,
                                                                    const char* file, int line,
                                                                    const char* function) {
  std::fprintf(stderr, "%s:%d: %s: assertion failed: DBX_ASSERT(%s)\n", file, line, function,
               expression);
  std::fflush(stderr);
  std::abort();
}

}  // namespace faultfs::detail

#define DBX_ASSERT(expression)                        \
  (__builtin_expect(static_cast<bool>(expression), 1) \
       ? static_cast<void>(0)                         \
       : ::faultfs::detail::assertion_failed(#expression, __FILE__, __LINE__, __func__))
