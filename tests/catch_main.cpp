// The Catch2 main lives in its own file: it is slow to compile (~13 s under em++) and never changes.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
