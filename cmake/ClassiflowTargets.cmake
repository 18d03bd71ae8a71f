# Settings every classiflow library target shares: C++20, PIC (the static libraries are linked
# into libclassiflow.so and the Python module), hidden visibility, warnings as errors.
function(classiflow_configure_target target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  set_target_properties(${target} PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  classiflow_warnings(${target})
endfunction()

# Warnings as errors, for libraries and the programs that test them.
function(classiflow_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
  # GCC 12 reports -Wrestrict inside std::string's operator+ when it is inlined at -O2 (GCC bug
  # 105329, fixed in GCC 13): a false positive on "text" + std::string(...), kept as a warning.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-error=restrict)
  endif()
endfunction()
