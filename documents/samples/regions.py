"""Real administrative divisions used to make sample addresses, ID prefixes and issuing authorities.

A small hand-picked table rather than the full GB/T 2260 list: every entry is a
region code that really exists, with street names that really exist there, so the
samples look plausible to staff and exercise the same text the OCR will meet.
Street names whose characters the fast chi_sim model cannot read (麓山南路, 龙蟠路,
肇嘉浜路…) were left out so that clean samples measure the pipeline, not the model;
district names keep them (岳麓区, 雁塔区): extraction repairs those from GB/T 2260.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    code: str  # GB/T 2260 six-digit code, the first six digits of the ID number
    province: str
    city: str  # prefecture-level city; equals province for the municipalities
    district: str
    police: str  # 签发机关 printed on the back of ID cards issued there
    market_regulator: str  # 登记机关 on business licences
    power_supplier: str  # who issues electricity bills there
    streets: tuple[str, ...]

    @property
    def prefix(self) -> str:
        """Address prefix as printed on documents, without repeating a municipality's name."""
        if self.province == self.city:
            return self.city + self.district
        return self.province + self.city + self.district

    @property
    def short_place(self) -> str:
        """Place name used at the start of a shop's registered name (e.g. 台山市, 杭州)."""
        if self.district.endswith("市"):
            return self.district
        return self.city


REGIONS: tuple[Region, ...] = (
    Region("440781", "广东省", "江门市", "台山市", "台山市公安局", "台山市市场监督管理局",
           "广东电网有限责任公司江门台山供电局",
           ("台城街道环市中路", "北陡镇沙咀村", "广海镇南湾路", "斗山镇中兴路", "端芬镇大同市")),
    Region("110105", "北京市", "北京市", "朝阳区", "北京市公安局朝阳分局", "北京市朝阳区市场监督管理局",
           "国网北京市电力公司朝阳供电公司",
           ("建国路", "朝阳北路", "望京街", "酒仙桥路", "东三环中路")),
    Region("310104", "上海市", "上海市", "徐汇区", "上海市公安局徐汇分局", "上海市徐汇区市场监督管理局",
           "国网上海市电力公司市区供电公司",
           ("田林路", "天钥桥路", "衡山路", "宜山路", "虹桥路")),
    Region("330106", "浙江省", "杭州市", "西湖区", "杭州市公安局西湖分局", "杭州市西湖区市场监督管理局",
           "国网浙江省电力有限公司杭州供电公司",
           ("文三路", "古墩路", "天目山路", "文一西路", "教工路")),
    Region("510107", "四川省", "成都市", "武侯区", "成都市公安局武侯区分局", "成都市武侯区市场监督管理局",
           "国网四川省电力公司成都供电公司",
           ("武侯祠大街", "科华北路", "玉林北路", "人民南路四段", "一环路南四段")),
    Region("440305", "广东省", "深圳市", "南山区", "深圳市公安局南山分局", "深圳市市场监督管理局南山监管局",
           "深圳供电局有限公司",
           ("南海大道", "科技南路", "桃园路", "南山大道", "创业路")),
    Region("420106", "湖北省", "武汉市", "武昌区", "武汉市公安局武昌分局", "武汉市武昌区市场监督管理局",
           "国网湖北省电力有限公司武汉供电公司",
           ("中南路", "中北路", "和平大道", "友谊大道", "徐东大街")),
    Region("320102", "江苏省", "南京市", "玄武区", "南京市公安局玄武分局", "南京市玄武区市场监督管理局",
           "国网江苏省电力有限公司南京供电分公司",
           ("中山路", "北京东路", "珠江路", "中央路", "玄武大道")),
    Region("370202", "山东省", "青岛市", "市南区", "青岛市公安局市南分局", "青岛市市南区市场监督管理局",
           "国网山东省电力公司青岛供电公司",
           ("香港中路", "山东路", "延安三路", "东海西路", "南京路")),
    Region("610113", "陕西省", "西安市", "雁塔区", "西安市公安局雁塔分局", "西安市雁塔区市场监督管理局",
           "国网陕西省电力有限公司西安供电公司",
           ("高新路", "长安南路", "电子正街", "科技路", "含光路")),
    Region("350203", "福建省", "厦门市", "思明区", "厦门市公安局思明分局", "厦门市思明区市场监督管理局",
           "国网福建省电力有限公司厦门供电公司",
           ("厦禾路", "湖滨南路", "中山路", "嘉禾路", "思明南路")),
    Region("430104", "湖南省", "长沙市", "岳麓区", "长沙市公安局岳麓分局", "长沙市岳麓区市场监督管理局",
           "国网湖南省电力有限公司长沙供电分公司",
           ("金星北路", "枫林一路", "桐梓坡路", "金星中路", "望月湖路")),
)
