# `cmake --install` puts headers, libraries and a package config in place so
# that find_package(dbx CONFIG) yields:
#  - dbx::engine and dbx::faultfs, what an application links (no libfiu);
#  - dbx::lab, what a target author links to build a plugin
#    (targets/plugin.h): the target seam, and the file-system seam with
#    SimFs, the recorder and the libfiu error points. Its headers live in
#    include/dbx-lab/, so an application's include path holds none of them;
#    its config (dbxLabTargets.cmake) loads only where libfiu's pkg-config
#    file is found.
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

# The lab's half: static libraries, headers under include/dbx-lab/.
install(TARGETS dbx_lab dbx_target_seam dbx_faultfs_sim EXPORT dbxLabTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}/dbx-lab)
file(GLOB dbx_faultfs_all_headers ${PROJECT_SOURCE_DIR}/faultfs/include/faultfs/*.h)
set(dbx_faultfs_lab_headers ${dbx_faultfs_all_headers})
list(REMOVE_ITEM dbx_faultfs_lab_headers ${dbx_faultfs_public_headers})
install(FILES ${dbx_faultfs_lab_headers}
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dbx-lab/faultfs)
install(FILES ${dbx_target_seam_headers}
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dbx-lab/targets)
install(EXPORT dbxLabTargets NAMESPACE dbx::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dbx)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/dbxConfig.cmake.in
  ${PROJECT_BINARY_DIR}/dbxConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dbx)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dbxConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dbxConfig.cmake ${PROJECT_BINARY_DIR}/dbxConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dbx)
