# `cmake --install` puts headers, libraries and a package config in place so
# that an application's find_package(dbx CONFIG) yields dbx::engine and
# dbx::faultfs.
include(CMakePackageConfigHelpers)
install(TARGETS dbx_engine dbx_faultfs EXPORT dbxTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/include/dbx
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Only the seam's own headers: SimFs, the recorder and the error points are
# the lab's.
list(TRANSFORM dbx_faultfs_public_headers PREPEND ${PROJECT_SOURCE_DIR}/faultfs/)
install(FILES ${dbx_faultfs_public_headers}
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/faultfs)
install(EXPORT dbxTargets NAMESPACE dbx::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dbx)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/dbxConfig.cmake.in
  ${PROJECT_BINARY_DIR}/dbxConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dbx)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dbxConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dbxConfig.cmake ${PROJECT_BINARY_DIR}/dbxConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dbx)
