#pragma once
// Bounds on what one template may make the engine do. They are far above what a real template needs (Jinja itself
// gives up at about 90 nested parentheses or 250 nested macro calls) and low enough that a runaway template, such as
// `{% for i in range(10**9) %}` or a macro that calls itself forever, fails with a clear error at its location
// instead of exhausting the stack, the memory or the operator's patience.
#include <cstddef>
#include <cstdint>

namespace prov::tmpl::limits {

#if defined(__SANITIZE_ADDRESS__) && !defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
// AddressSanitizer builds (the test suite) have frames several times larger: fewer nested calls fit in a stack.
inline constexpr int kMaxNesting = 256;
inline constexpr int kMaxCallDepth = 100;
inline constexpr int64_t kMaxSteps = 10'000'000;
inline constexpr size_t kMaxSize = size_t{256} << 20;
inline constexpr uint32_t kRegexMatchLimit = 10'000'000;
inline constexpr uint32_t kRegexDepthLimit = 250'000;
inline constexpr uint32_t kRegexHeapLimitKiB = 64 * 1024;
#elif !defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
/// Nesting of expressions and statement blocks in the source, which the parser and the evaluator recurse on.
inline constexpr int kMaxNesting = 256;
/// Nested calls while rendering: macros, caller(), recursive loop(), include, import, lazily templated variables.
/// Like Jinja's (about 250); it also keeps a render within the stack of an executor thread.
inline constexpr int kMaxCallDepth = 250;
/// Loop iterations and macro calls in one engine call (one render, one templated value), all loops together.
inline constexpr int64_t kMaxSteps = 10'000'000;
/// Bytes in one rendered text or one string or list built by an operator (`*`, `~`, `+`).
inline constexpr size_t kMaxSize = size_t{256} << 20;
/// Backtracking steps of one regular expression match (PCRE2's match limit; its default), nested backtracking
/// points (its depth limit) and the memory these take: a pattern that backtracks catastrophically, such as
/// `(a*)*b`, fails in about a second instead of running for ages as it does in Python.
inline constexpr uint32_t kRegexMatchLimit = 10'000'000;
inline constexpr uint32_t kRegexDepthLimit = 250'000;
inline constexpr uint32_t kRegexHeapLimitKiB = 64 * 1024;
#else
// The fuzzer runs the sanitizers with a smaller stack budget per frame and reports any input slower than seconds:
// the same checks, with smaller numbers.
inline constexpr int kMaxNesting = 256;
inline constexpr int kMaxCallDepth = 100;
inline constexpr int64_t kMaxSteps = 200'000;
inline constexpr size_t kMaxSize = size_t{1} << 20;
inline constexpr uint32_t kRegexMatchLimit = 200'000;
inline constexpr uint32_t kRegexDepthLimit = 20'000;
inline constexpr uint32_t kRegexHeapLimitKiB = 16 * 1024;
#endif

/// Bytes in one regular expression: far beyond a hand-written one, and PCRE2's compiled form stays small.
inline constexpr size_t kMaxPatternSize = 64 * 1024;

}  // namespace prov::tmpl::limits
