# Warning flags shared by every DBX target.
add_library(dbx_warnings INTERFACE)
# -Wshadow=local is GCC's spelling; clang would reject it.
target_compile_options(dbx_warnings INTERFACE -Wall -Wextra -Wpedantic
  $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local> -Wnon-virtual-dtor -Wimplicit-fallthrough)
if(DBX_WERROR)
  target_compile_options(dbx_warnings INTERFACE -Werror)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND (DBX_SANITIZE OR DBX_TSAN))
  # GCC's -Wmaybe-uninitialized is unreliable under -fsanitize (its manual says
  # so); GCC 12 fires it inside std::regex's std::function state.
  target_compile_options(dbx_warnings INTERFACE -Wno-maybe-uninitialized)
endif()
# GCC 12 reports -Wrestrict on `"literal" + std::to_string(n)` at -O2/-O3: a
# false positive in libstdc++'s inlined memcpy (GCC bug 105651, fixed in 13).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(dbx_warnings INTERFACE -Wno-restrict)
endif()
