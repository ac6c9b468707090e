// The subcommands. Each takes the arguments after its name, prints its own --help, and returns the exit status;
// failures are thrown (UsageError, FileError, engine errors) and turned into one message line by main.
#pragma once
#include <string>
#include <vector>

namespace rnnlab::cli {

using Args = std::vector<std::string>;

int cmd_train(const Args& args);
int cmd_sample(const Args& args);
int cmd_eval(const Args& args);
int cmd_export(const Args& args);
int cmd_import(const Args& args);
int cmd_info(const Args& args);

}  // namespace rnnlab::cli
