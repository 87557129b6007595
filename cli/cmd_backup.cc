// kasse backup DIR and kasse restore DIR.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "ledger/chain.h"
#include "ledger/hash.h"

namespace kasse::cli {

namespace {

Status RunBackup(const GlobalOptions& options, const std::string& backup_dir) {
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForWrite(options.db_path, Appends::kFew, &ledger));
  uint32_t backup_id = 0;
  KASSE_RETURN_IF_ERROR(ledger->Backup(backup_dir, &backup_id));
  fmt::print("backup {} written to {} and verified: head seq {}, head hash {}\n", backup_id,
             backup_dir, ledger->head_seq(), HexOf(ledger->head_hash()));
  return Status::Ok();
}

Status RunRestore(const GlobalOptions& options, const std::string& backup_dir) {
  KASSE_RETURN_IF_ERROR(Ledger::Restore(backup_dir, options.db_path));
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForRead(options.db_path, &ledger));
  ChainSummary chain;
  Status chained = VerifyChain(*ledger, &chain);
  if (!chained.ok())
    return Status::Corruption("the restored ledger does not verify: " + chained.message());
  fmt::print("restored {} into {}: {} events, hash chain intact, head hash {}\n", backup_dir,
             options.db_path, chain.events, HexOf(ledger->head_hash()));
  return Status::Ok();
}

}  // namespace

void AddBackupCommands(CLI::App& app, GlobalOptions& options, int& exit_code) {
  CLI::App* compact =
      app.add_subcommand("compact", "Compact the ledger's storage (maintenance; changes no event)");
  compact->footer("Example:\n  kasse compact");
  compact->callback([&options, &exit_code]() {
    ResolveDefaults(&options);
    std::unique_ptr<Ledger> ledger;
    Status status = Ledger::OpenForWrite(options.db_path, Appends::kFew, &ledger);
    if (status.ok()) status = ledger->Compact();
    if (status.ok()) fmt::print("compacted {}\n", options.db_path);
    exit_code = Finish(status);
  });

  auto backup_dir = std::make_shared<std::string>();
  CLI::App* backup = app.add_subcommand(
      "backup", "Add a verified backup of the ledger to DIR (unchanged files are shared)");
  backup->add_option("dir", *backup_dir, "the backup directory")->required();
  backup->footer("Example:\n  kasse backup /media/usb/kasse-backups");
  backup->callback([&options, &exit_code, backup_dir]() {
    ResolveDefaults(&options);
    exit_code = Finish(RunBackup(options, *backup_dir));
  });
  CLI::App* restore = app.add_subcommand(
      "restore", "Restore the newest backup in DIR into a new ledger at --db, and verify it");
  restore->add_option("dir", *backup_dir, "the backup directory")->required();
  restore->footer("Example:\n  kasse --db restored.db restore /media/usb/kasse-backups");
  restore->callback([&options, &exit_code, backup_dir]() {
    ResolveDefaults(&options);
    exit_code = Finish(RunRestore(options, *backup_dir));
  });
}

}  // namespace kasse::cli
