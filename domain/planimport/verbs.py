"""Whether a duty item opens with a verb: "Chủ trì …", "Hướng dẫn …", "Lập …".

A lead-in ending in ":" whose items are not verbs ("trình HĐND quyết định: - Phương án …;
- Mức vốn …") lists the objects of one duty, which is one unit, not one per item.
"""

_ONE = frozenset("lập trình cử gửi giao xét nộp ký đưa làm mua tăng giảm mở cấp dựng".split())


def opens_with_verb(text: str) -> bool:
    """Whether the text's first word (or first two) is a duty verb."""
    words = [w.strip(',.;:()“”"').lower() for w in text.split()[:2]]
    if not words:
        return False
    return (len(words) == 2 and f"{words[0]} {words[1]}" in _TWO_PAIRS) or words[0] in _ONE


_TWO_WORDS = """
chủ trì|phối hợp|tổ chức|tham mưu|triển khai|thực hiện|xây dựng|định kỳ|tăng cường|hướng dẫn
|theo dõi|chỉ đạo|khẩn trương|quan tâm|rà soát|nghiên cứu|tiếp tục|bố trí|cung cấp|đẩy mạnh
|phát huy|nâng cao|kiểm tra|tổng hợp|báo cáo|đảm bảo|bảo đảm|chủ động|phổ biến|lồng ghép
|vận động|cập nhật|thường xuyên|tích cực|giám sát|sử dụng|ưu tiên|hỗ trợ|đề xuất|tuyên truyền
|quán triệt|ban hành|đầu tư|huy động|tham gia|duy trì|đôn đốc|xác định|phát triển
|áp dụng|ứng dụng|hoàn thành|tập trung|khuyến khích|đào tạo|bồi dưỡng|nắm bắt|điều tra
|sắp xếp|thu thập|đánh giá|sơ kết|tổng kết|biên tập|chuẩn hóa|chuẩn hoá|quản lý|khảo sát
|thẩm định|phân bổ|giải quyết|chuyển đổi|kết nối|chia sẻ|tiến hành|thiết lập|khai thác|xử lý
|phục vụ|vận hành|mở rộng|ký kết|cấp phát|kêu gọi|lựa chọn|dọn dẹp|bổ sung|sửa đổi|hoàn thiện
|đổi mới|tiếp nhận|phân công|công khai|điều phối|thống nhất|tiếp cận|hưởng ứng|chăm sóc
|thúc đẩy|nhân rộng|tham dự|thành lập|ra quân|chuẩn bị|phân phối|đề nghị|yêu cầu|định hướng
|tuyên dương|khen thưởng|biểu dương|phát động|nhắn tin|cảnh báo|trực tiếp|là cơ|căn cứ
|chịu trách|có trách|kịp thời|cảnh giới|điều tiết|tuyên truyền|khôi phục|phòng ngừa|ngăn chặn
"""
_TWO_PAIRS = frozenset(w.strip() for w in _TWO_WORDS.replace("\n", "").split("|"))
