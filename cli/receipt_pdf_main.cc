// kasse-receipt-pdf: reads one receipt document (JSON, see ReceiptDocumentToJson) on standard
// input and writes its PDF to standard output. kasse runs it for `kasse receipts`; it is a
// program of its own so that only it loads cairo and pango (cli/receipt_pdf.h).
//
// Exit status: 0 the PDF is on stdout; 1 the document was refused (the reason on stderr);
// 2 it could not be read or written.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "cli/receipt_pdf.h"

int main() {
  const std::string input{std::istreambuf_iterator<char>(std::cin),
                          std::istreambuf_iterator<char>()};
  kasse::cli::ReceiptDocument receipt;
  kasse::Status status = kasse::cli::ReceiptDocumentFromJson(input, &receipt);
  if (!status.ok()) {
    std::cerr << "kasse-receipt-pdf: " << status.message() << "\n";
    return 2;
  }
  std::string pdf;
  status = kasse::cli::RenderReceiptPdfInProcess(receipt, &pdf);
  if (!status.ok()) {
    std::cerr << status.message() << "\n";
    return status.code() == kasse::Status::Code::kInvalidInput ? 1 : 2;
  }
  if (std::fwrite(pdf.data(), 1, pdf.size(), stdout) != pdf.size() || std::fflush(stdout) != 0) {
    std::cerr << "kasse-receipt-pdf: cannot write the PDF\n";
    return 2;
  }
  return 0;
}
