# Installs the C ABI (libclassiflow.so + classiflow.h), the C++ API (headers + the static
# classiflow_core / classiflow_storage libraries), a CMake package and a pkg-config file.
include(CMakePackageConfigHelpers)

install(TARGETS classiflow classiflow_core classiflow_storage
  EXPORT classiflowTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY core/include/ storage/include/ capi/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(CLASSIFLOW_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/classiflow)
install(EXPORT classiflowTargets NAMESPACE classiflow:: DESTINATION ${CLASSIFLOW_CMAKE_DIR})
configure_package_config_file(cmake/classiflowConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/classiflowConfig.cmake INSTALL_DESTINATION ${CLASSIFLOW_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/classiflowConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/classiflowConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/classiflowConfigVersion.cmake
  DESTINATION ${CLASSIFLOW_CMAKE_DIR})

# The .pc file locates the prefix relative to itself, so `cmake --install --prefix X` works.
file(RELATIVE_PATH CLASSIFLOW_PC_TO_PREFIX "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig" "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/$" "" CLASSIFLOW_PC_TO_PREFIX "${CLASSIFLOW_PC_TO_PREFIX}")
configure_file(cmake/classiflow.pc.in ${CMAKE_CURRENT_BINARY_DIR}/classiflow.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/classiflow.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
