// User-facing error type.
#include "core/error.h"

namespace rapidnn {

static std::string compose(const std::string& file, const std::string& message) {
  return file.empty() ? message : file + ": " + message;
}

Error::Error(std::string file, std::string message)
    : std::runtime_error(compose(file, message)), file_(std::move(file)), message_(std::move(message)) {}

}  // namespace rapidnn
