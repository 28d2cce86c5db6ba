# DBX_ASSERTIONS keeps every assert() live in optimized builds: CMake's Release,
# RelWithDebInfo and MinSizeRel configurations add -DNDEBUG, which would
# silence the invariant checks (SimFs's State::check() among them) in exactly
# the builds that tests and torture campaigns run. The optimization level is
# untouched, so campaigns keep their throughput. The always-on DBX_ASSERT
# (faultfs/assert.h) does not depend on this option.
option(DBX_ASSERTIONS "Keep assert() on in optimized builds (removes -DNDEBUG)" OFF)
if(DBX_ASSERTIONS)
  foreach(lang C CXX)
    foreach(config RELEASE RELWITHDEBINFO MINSIZEREL)
      string(REGEX REPLACE "(^| )[-/]DNDEBUG( |$)" " " CMAKE_${lang}_FLAGS_${config}
        "${CMAKE_${lang}_FLAGS_${config}}")
    endforeach()
  endforeach()
  message(STATUS "DBX_ASSERTIONS=ON: assert() is live in every configuration")
endif()
