#include "store/directory_document_backend.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace wc::store {
namespace {

namespace fs = std::filesystem;

TEST(DirectoryDocumentBackend, ErrorsThatRefuseEveryWriteAreFatal) {
  for (int error_number : {ENOSPC, EDQUOT, EROFS, EACCES, EPERM, ELOOP, ENOTDIR}) {
    EXPECT_EQ(DirectoryDocumentBackend::kind_of(error_number), StoreErrorKind::fatal)
        << error_number;
  }
}

TEST(DirectoryDocumentBackend, ErrorsOfOneKeyAreRequestErrorsAndTheRestTransient) {
  EXPECT_EQ(DirectoryDocumentBackend::kind_of(EINVAL), StoreErrorKind::request);
  EXPECT_EQ(DirectoryDocumentBackend::kind_of(EISDIR), StoreErrorKind::request);
  EXPECT_EQ(DirectoryDocumentBackend::kind_of(EIO), StoreErrorKind::transient);
  EXPECT_EQ(DirectoryDocumentBackend::kind_of(ENOENT), StoreErrorKind::transient);
}

TEST(DirectoryDocumentBackend, ALinkedOwnerFolderIsAFatalErrorNamingTheStoreAndTheLink) {
  const fs::path root = fs::temp_directory_path() / ("wc-docs-" + std::to_string(::getpid()));
  fs::create_directories(root / "store" / "widgets");
  fs::create_directories(root / "outside");
  fs::create_directory_symlink(root / "outside", root / "store" / "widgets" / "eve");
  DirectoryDocumentBackend backend(root / "store");
  ASSERT_TRUE(backend.check());
  auto put = backend.put("widgets/eve/w1", "{}", /*only_if_absent=*/true);
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().kind, StoreErrorKind::fatal);
  EXPECT_NE(put.error().message.find("widget store directory '" + (root / "store").string() +
                                     "' is unusable"),
            std::string::npos)
      << put.error().message;
  EXPECT_NE(put.error().message.find("widgets/eve' is a symbolic link"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(root / "outside"));
  fs::remove_all(root);
}

}  // namespace
}  // namespace wc::store
