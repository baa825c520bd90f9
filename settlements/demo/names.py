"""The demo data set's names and constants: creators, clients, roles, outcomes, daily routine.

Fictional names only. Plain data with no database access and no randomness; ``plan`` draws from it.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum

DEFAULT_SEED = 2026

# Orders go back this far; history goes back far enough to price the oldest one over its own
# 45-day window (70 + 45 days), with a margin.
ORDER_MAX_AGE_DAYS = 70
HISTORY_DAYS = 130

# The daily routine the replay simulates (Asia/Shanghai): the platform's view export is imported,
# then the close/expire sweeps run, finance reviews new settlements, and the payout sweep runs.
IMPORT_AT = time(1, 0)
SWEEP_AT = time(2, 0)
REVIEW_AT = time(9, 30)
PAY_AT = time(10, 0)

# Creator-style display names (fictional), more than needed so a seed picks a different 50.
INFLUENCER_NAMES = (
    "小鹿爱穿搭",
    "阿亮的厨房",
    "程序员小北",
    "旅行的七七",
    "健身教练大熊",
    "萌宠日记阿福",
    "美妆师Coco",
    "数码老周",
    "宝妈小婷",
    "家居改造王师傅",
    "深夜食堂阿杰",
    "探店小分队",
    "汽车评测老K",
    "读书的木子",
    "搞笑二人组",
    "乡村守艺人",
    "川味小厨娘",
    "咖啡师阿树",
    "穿搭博主林夕",
    "护肤实验室",
    "露营的阿川",
    "手工达人菲菲",
    "摄影师北辰",
    "街舞少年阿凯",
    "茶艺师小雅",
    "打工人日常",
    "英语老师Amy",
    "钓鱼的老陈",
    "烘焙小能手糖糖",
    "宠物医生王大夫",
    "东北大花袄",
    "上海弄堂阿婆",
    "潮汕牛肉阿辉",
    "滑雪的米粒",
    "职场穿搭Vivi",
    "二手车老刘",
    "母婴测评团团",
    "家电测评小张",
    "西北的风",
    "山城美食侦探",
    "健身餐小美",
    "瑜伽老师若兰",
    "花艺师晴天",
    "汉服小姐姐云裳",
    "游戏解说阿星",
    "装修避坑指南",
    "大学生省钱攻略",
    "海边赶海阿强",
    "广州早茶阿伯",
    "重庆火锅妹",
    "新疆果农阿依",
    "宝藏书单君",
    "小城夫妻日记",
    "科普君老白",
    "古镇旅拍小周",
    "减脂的胖虎",
    "理财小课堂",
    "猫咪三兄弟",
    "北漂女孩乐乐",
    "宿舍美食王",
)

# (company name, e-mail slug): fictional advertisers across the usual Douyin ad verticals.
CLIENTS = (
    ("杭州悦颜化妆品有限公司", "yueyan"),
    ("深圳极客数码科技有限公司", "jike"),
    ("广州味央食品有限公司", "weiyang"),
    ("上海小步母婴用品有限公司", "xiaobu"),
    ("成都蜀香餐饮管理有限公司", "shuxiang"),
    ("北京轻氧运动科技有限公司", "qingyang"),
    ("苏州暖居家纺有限公司", "nuanju"),
    ("福建茶语茶业有限公司", "chayu"),
    ("武汉驰行汽车服务有限公司", "chixing"),
    ("长沙萌宠生活科技有限公司", "mengchong"),
)
CLIENT_CODES = tuple(f"client-{index:02d}" for index in range(1, len(CLIENTS) + 1))


class Role(StrEnum):
    """Why an influencer is in the set: most are regular, a few show each ineligibility reason."""

    REGULAR = "regular"
    DISABLED = "disabled"  # boost_enabled=False
    DORMANT = "dormant"  # stopped posting: no video in the last 45 days
    NEWCOMER = "newcomer"  # only two videos so far
    LOW_VIEWS = "low_views"  # E below the 1,000-view minimum


# Log-normal spread of a video's views around the influencer's median, per profile.
VOLATILITY = {"steady": 0.08, "normal": 0.25, "volatile": 0.7}


class Outcome(StrEnum):
    """The boost status a planned line should end in; compensation is split by the cap."""

    AWAITING_PUBLISH = "awaiting_publish"
    ACTIVE = "active"
    AWAITING_VIEWS = "awaiting_views"
    SUCCEEDED = "succeeded"
    COMPENSATED = "compensated"  # shortfall below the cap threshold: pays the raw amount
    COMPENSATED_CAPPED = "compensated_capped"  # shortfall past it: pays the whole fee
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def status(self) -> str:
        """The boost status this outcome ends in."""
        return "compensated" if self is Outcome.COMPENSATED_CAPPED else self.value

    @property
    def published(self) -> bool:
        return self in PUBLISHED

    @property
    def closes(self) -> bool:
        """Whether the window closes on fresh data, so the last snapshot decides the money."""
        return self in (Outcome.SUCCEEDED, Outcome.COMPENSATED, Outcome.COMPENSATED_CAPPED)


PUBLISHED = frozenset(
    {
        Outcome.ACTIVE,
        Outcome.AWAITING_VIEWS,
        Outcome.SUCCEEDED,
        Outcome.COMPENSATED,
        Outcome.COMPENSATED_CAPPED,
    }
)
# Relative frequency of each outcome among the ones feasible for a line's order.
OUTCOME_WEIGHTS = {
    Outcome.AWAITING_PUBLISH: 2.0,
    Outcome.ACTIVE: 3.0,
    Outcome.AWAITING_VIEWS: 0.7,
    Outcome.SUCCEEDED: 3.0,
    Outcome.COMPENSATED: 1.5,
    Outcome.COMPENSATED_CAPPED: 1.5,
    Outcome.EXPIRED: 1.5,
    Outcome.CANCELLED: 0.6,
}
MIN_PER_OUTCOME = 3

# What the operator and finance say when the replay cancels a boost or holds a payout.
CANCEL_REASON = "Client withdrew the brief"
HOLD_REASON = "Client disputes the view count; checking the platform's data before paying"
