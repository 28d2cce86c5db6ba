# Warning and sanitizer flags shared by every DBX target.
add_library(dbx_warnings INTERFACE)
target_compile_options(dbx_warnings INTERFACE -Wall -Wextra -Wpedantic
  -Wshadow=local -Wnon-virtual-dtor -Wimplicit-fallthrough)
if(DBX_WERROR)
  target_compile_options(dbx_warnings INTERFACE -Werror)
endif()
if(DBX_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  # GCC's -Wmaybe-uninitialized is unreliable under -fsanitize (its manual says
  # so); GCC 12 fires it inside std::regex's std::function state.
  target_compile_options(dbx_warnings INTERFACE -Wno-maybe-uninitialized)
endif()
# GCC 12 reports -Wrestrict on `"literal" + std::to_string(n)` at -O2/-O3: a
# false positive in libstdc++'s inlined memcpy (GCC bug 105651, fixed in 13).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(dbx_warnings INTERFACE -Wno-restrict)
endif()
