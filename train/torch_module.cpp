// Loading the training module (dlopen) and checking it was built with this program.
#include "train/torch_module.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "core/error.h"

namespace rapidnn {

namespace fs = std::filesystem;

namespace {

constexpr const char* kModuleName = "librapidnn_torch.so";

std::vector<fs::path> candidates() {
  if (const char* env = std::getenv("RAPIDNN_TORCH_MODULE"); env && *env) return {fs::path(env)};
  std::vector<fs::path> out;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) out.push_back(self.parent_path() / kModuleName);
#ifdef RAPIDNN_TORCH_MODULE_PATH
  out.emplace_back(RAPIDNN_TORCH_MODULE_PATH);  // test programs run from the build tree
#endif
  return out;
}

const TorchModule* load() {
  const auto paths = candidates();
  for (const auto& p : paths) {
    if (!fs::exists(p) && paths.size() > 1) continue;
    void* handle = ::dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) fail(p.string(), "the training module (libtorch) could not be loaded: {}", ::dlerror());
    using Entry = const TorchModule* (*)();
    const auto entry = reinterpret_cast<Entry>(::dlsym(handle, "rapidnn_torch_module"));
    if (!entry) fail(p.string(), "is not a rapidnn training module (no rapidnn_torch_module)");
    const TorchModule* m = entry();
    if (m->abi != kTorchModuleAbi)
      fail(p.string(), "is a training module from another build of rapidnn; rebuild it with this one (cmake --build build)");
    return m;
  }
  fail(paths.empty() ? kModuleName : paths.front().string(),
       "training needs the libtorch module {}, which is not installed beside rapidnn; build with RAPIDNN_WITH_TORCH=ON "
       "(scripts/setup.sh installs libtorch-dev)",
       kModuleName);
}

}  // namespace

const TorchModule& torch_module() {
  static std::once_flag once;
  static const TorchModule* module = nullptr;
  std::call_once(once, [] { module = load(); });
  return *module;
}

}  // namespace rapidnn
