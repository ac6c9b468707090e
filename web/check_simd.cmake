# cmake -DWASM=file.wasm -DMIN_OPS=N -P check_simd.cmake: fails unless `wasm-objdump -d` shows at least N f32x4
# instructions, i.e. unless the hand-written simd128 kernels really made it into the module.
find_program(WASM_OBJDUMP wasm-objdump REQUIRED)
execute_process(COMMAND ${WASM_OBJDUMP} -d ${WASM} OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "wasm-objdump failed on ${WASM}")
endif()
string(REGEX MATCHALL "f32x4\\.[a-z_]+" ops "${listing}")
list(LENGTH ops count)
if(count LESS MIN_OPS)
  message(FATAL_ERROR "${WASM} holds only ${count} f32x4 instructions (expected >= ${MIN_OPS}): the SIMD kernels are missing")
endif()
message(STATUS "${WASM}: ${count} f32x4 instructions")
