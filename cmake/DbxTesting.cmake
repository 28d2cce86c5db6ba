# dbx_add_test(NAME <target> LABEL <module> SOURCES <files...> [LIBS <libs...>]
#              [TIMEOUT <seconds>])
# Builds one GoogleTest executable into build/bin and registers its cases with
# ctest under the module's label, so `ctest -L engine` runs one module.
include(GoogleTest)
function(dbx_add_test)
  cmake_parse_arguments(ARG "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_LIBS} GTest::gtest
    GTest::gtest_main dbx_warnings)
  gtest_discover_tests(${ARG_NAME}
    PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
endfunction()
