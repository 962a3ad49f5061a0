// RAW: the virtual disk is the file itself. Holes (SEEK_HOLE) are reported as unallocated.
#include "image/formats.h"

namespace imgprep {
namespace {

class RawReader final : public ImageReader {
  public:
    explicit RawReader(SourcePtr src) : src_(std::move(src)) {
        info_.format = "raw";
        info_.virtual_size = src_->size();
        info_.file_size = src_->size();
        info_.files = {src_->name()};
        if (src_->size() % 512) info_.warnings.push_back("size is not a multiple of 512 bytes");
        file_ = dynamic_cast<const FileSource*>(src_.get());
    }
    const std::string& name() const override { return src_->name(); }
    std::uint64_t size() const override { return src_->size(); }
    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        return src_->read_at(offset, buf);
    }
    std::uint64_t bytes_read() const override { return src_->bytes_read(); }
    const ImageInfo& info() const override { return info_; }

    Result<Extent> extent_at(std::uint64_t offset) const override {
        const std::uint64_t size = src_->size();
        if (offset >= size) return error_at(offset, "extent query past the end of the disk");
        if (!file_) return Extent{offset, size - offset, ExtentKind::Data};
        std::uint64_t data = file_->next_data(offset);
        if (data > offset) return Extent{offset, std::min(data, size) - offset, ExtentKind::Unallocated};
        std::uint64_t hole = file_->next_hole(offset);
        if (hole <= offset) hole = size;
        return Extent{offset, std::min(hole, size) - offset, ExtentKind::Data};
    }

  private:
    SourcePtr src_;
    const FileSource* file_ = nullptr;
    ImageInfo info_;
};

} // namespace

Result<ImagePtr> open_raw(SourcePtr src, OpenContext&) {
    if (src->size() == 0) return src->error("zero-length file: not a disk image");
    return ImagePtr(std::make_unique<RawReader>(std::move(src)));
}

} // namespace imgprep
