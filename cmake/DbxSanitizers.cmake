# Sanitized builds. Each is its own build directory (CMakePresets.json):
#   DBX_SANITIZE  AddressSanitizer + UBSan over everything (preset asan-ubsan).
#   DBX_TSAN      ThreadSanitizer over everything (preset tsan): the engine's
#                 handles are shared by many threads.
#   DBX_FUZZ      the libFuzzer targets in fuzz/, with ASan + UBSan (preset
#                 fuzz; clang only, as libFuzzer ships with clang; clang 16 or
#                 later, since the code captures structured bindings in lambdas).
option(DBX_SANITIZE "Build with AddressSanitizer and UBSan" OFF)
option(DBX_TSAN "Build with ThreadSanitizer" OFF)
option(DBX_FUZZ "Build the libFuzzer targets in fuzz/ (clang, ASan + UBSan)" OFF)

if((DBX_SANITIZE OR DBX_FUZZ) AND DBX_TSAN)
  message(FATAL_ERROR "ThreadSanitizer cannot be combined with AddressSanitizer")
endif()

if(DBX_SANITIZE OR DBX_FUZZ)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(DBX_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=thread)
endif()

if(DBX_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DBX_FUZZ needs clang (libFuzzer): configure with "
      "-DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_C_COMPILER=clang-16, or use the fuzz preset")
  endif()
  # Coverage feedback in every library; only the fuzz targets link the
  # libFuzzer driver (fuzz/CMakeLists.txt adds -fsanitize=fuzzer to them).
  add_compile_options(-fsanitize=fuzzer-no-link -g)
endif()
