if(JOBSYNC_SANITIZE)
  # The `null` check is off: CAF 0.17's init_fun_factory (instantiated by
  # every function-based actor, HTTP bridge included) binds a reference to
  # null in its own headers, which would abort every run.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=null
                      -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined -fno-sanitize=null)
  # GCC 12 reports false maybe-uninitialized warnings inside std::regex and
  # std::function once the sanitizers instrument them.
  add_compile_options(-Wno-maybe-uninitialized)
endif()

if(JOBSYNC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "JOBSYNC_FUZZ needs clang (libFuzzer): "
                        "configure with CXX=clang++ (scripts/fuzz.sh does)")
  endif()
  # Everything is instrumented for coverage and checked by ASan and UBSan;
  # only the fuzz executables link libFuzzer's main.
  # UBSan findings stop the run through UBSAN_OPTIONS (scripts/fuzz.sh:
  # halt_on_error with a suppressions file), not -fno-sanitize-recover,
  # which would ignore the suppressions.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
