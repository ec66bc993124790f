"""Static word pools for the synthetic households: names, places, wordings.

Everything here is invented or public general knowledge (common surnames, real Hubei region
codes and street names); no real person's data.
"""

from __future__ import annotations

# The names planted in the first households of every generated batch (see households.py),
# and kept out of the random names, so search tests can rely on them: "张伟" is a prefix of
# "张伟华", and "王伟" shares the given name "伟" with "张伟".
SEARCH_NAMES: tuple[str, ...] = ("张伟", "王伟", "张伟华")

# Common surnames, most frequent first (repeated entries weight the draw).
SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
    "肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方邹熊秦江雷龚万"
    "严覃向汤喻柯舒熊童"
)
MALE_CHARS = "伟强磊军勇杰涛明超华平刚建国文斌辉鹏飞波宇浩俊峰志海林成德金荣庆忠新春"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀英玲桂兰萍红燕梅琴云莲珍慧婷雪颖凤翠琳洁"
CHILD_CHARS = "子梓涵轩博睿欣怡雨晨思一诺宇泽嘉佳可萱铭"

# Region code -> (city, county, [(town, [community or village, ...]), ...], roads).
# Towns ending in 镇/乡 are rural: their communities are villages (村).
REGIONS: dict[str, tuple[str, str, list[tuple[str, list[str]]], list[str]]] = {
    "420102": (
        "武汉市",
        "江岸区",
        [("大智街道", ["三阳路社区", "大智社区"]), ("一元街道", ["上海路社区", "天津路社区"])],
        ["解放大道", "中山大道", "胜利街", "黄浦大街"],
    ),
    "420105": (
        "武汉市",
        "汉阳区",
        [("建桥街道", ["知音社区", "建港社区"]), ("鹦鹉街道", ["鹦鹉花园社区", "墨水湖社区"])],
        ["汉阳大道", "鹦鹉大道", "龙阳大道", "墨水湖北路"],
    ),
    "420106": (
        "武汉市",
        "武昌区",
        [("中华路街道", ["彭刘杨路社区", "复兴路社区"]), ("首义路街道", ["阅马场社区"])],
        ["武珞路", "中山路", "解放路", "和平大道"],
    ),
    "420111": (
        "武汉市",
        "洪山区",
        [("珞南街道", ["广八路社区", "石牌岭社区"]), ("关山街道", ["关山社区", "关南社区"])],
        ["珞喻路", "雄楚大道", "民族大道", "关山大道"],
    ),
    "420116": (
        "武汉市",
        "黄陂区",
        [("李集街道", ["泡桐村", "小寨村"]), ("祁家湾街道", ["祁家湾村", "大郭村"])],
        ["黄土公路"],
    ),
    "421002": (
        "荆州市",
        "沙市区",
        [("中山街道", ["便河社区", "中山社区"]), ("胜利街道", ["胜利社区", "园林社区"])],
        ["北京路", "江津路", "塔桥路", "园林路"],
    ),
    "421003": (
        "荆州市",
        "荆州区",
        [("川店镇", ["川店村", "紫荆村"]), ("马山镇", ["马山村", "鲁店村"])],
        ["荆川路"],
    ),
    "420302": (
        "十堰市",
        "茅箭区",
        [("武当路街道", ["五堰社区", "北京路社区"]), ("二堰街道", ["二堰社区"])],
        ["人民路", "北京北路", "朝阳路"],
    ),
    "420602": (
        "襄阳市",
        "襄城区",
        [("古城街道", ["北街社区", "南街社区"]), ("庞公街道", ["庞公社区"])],
        ["檀溪路", "荆州街", "南街"],
    ),
    "420902": (
        "孝感市",
        "孝南区",
        [("书院街道", ["槐荫社区", "书院社区"]), ("新铺镇", ["新铺村", "彭塘村"])],
        ["槐荫大道", "城站路", "天仙北路"],
    ),
    "421126": (
        "黄冈市",
        "蕲春县",
        [("漕河镇", ["东长街社区", "柳林村"]), ("蕲州镇", ["东长街村", "雨湖村"])],
        ["蕲春大道", "李时珍大道"],
    ),
    "422801": (
        "恩施土家族苗族自治州",
        "恩施市",
        [("舞阳坝街道", ["旗峰社区", "马鞍山社区"]), ("盛家坝镇", ["二官寨村", "小溪村"])],
        ["施州大道", "航空大道", "舞阳大街"],
    ),
}

# Birth-place codes for members born elsewhere in Hubei (old and current codes both valid).
BIRTH_REGION_CODES = (
    "420102 420103 420104 420105 420106 420107 420111 420112 420115 420116 420117 "
    "420202 420222 420281 420302 420322 420502 420582 420602 420683 420704 420802 "
    "420881 420902 420984 421002 421003 421022 421083 421102 421125 421126 421202 "
    "421281 421303 422801 422802 429004 429005 429006"
).split()

BUSINESS_WEIGHTS = {"aa": 40, "ab": 10, "ac": 4, "ad": 12, "ae": 10, "af": 6, "ag": 6, "ah": 12}

MARITAL = ("未婚", "已婚", "离异", "丧偶")
HEALTH_GOOD = ("健康", "良好")
HEALTH_POOR = ("患病", "较差", "一般")
ILLNESSES = (
    "尿毒症",
    "恶性肿瘤",
    "白血病",
    "脑卒中后遗症",
    "冠心病",
    "慢性肾衰竭",
    "糖尿病并发症",
    "慢性阻塞性肺疾病",
)
DISABILITY_KINDS = ("肢体", "视力", "听力", "言语", "智力", "精神")
DISABILITY_GRADES = ("一级", "二级", "三级", "四级")
VEHICLES = ("小型轿车1辆", "电动三轮车1辆", "二轮摩托车1辆", "小型货车1辆")
FARM_MACHINES = ("手扶拖拉机1台", "小型收割机1台")
BUSINESSES = ("小吃店", "便利店", "修车铺", "早餐店", "水果摊")
PLATE_LETTERS = "ABCDEFGHJKLMNPQRS"

NEIGHBOURS = ("楼下住户", "隔壁住户", "对门住户", "楼上住户")
RURAL_NEIGHBOURS = ("同组村民", "隔壁邻居", "村民小组长")
NEIGHBOUR_NOTES = (
    "经走访{neighbour}{nname}了解，该户{situation}，家中无高档消费品，邻里反映情况属实。",
    "走访{neighbour}{nname}，反映该户{situation}，生活较为困难，未发现隐瞒收入情况。",
    "经询问{neighbour}{nname}，该户{situation}，日常开支节俭，与申报情况基本一致。",
)

# Paragraphs for the plain (情况说明) page, in order; {placeholders} come from the household.
PLAIN_OPENINGS = (
    "{head}，身份证号{head_id}，现居住于{address}。该户家庭共同生活人口{n}人，"
    "于{apply_date}向{town}提出{business}申请。",
    "我社区居民{head}（身份证号{head_id}）家住{address}，家庭共{n}口人，"
    "因家庭生活困难，于{apply_date}申请{business}。",
)
PLAIN_MIDDLES = (
    "根据《社会救助暂行办法》和《湖北省居民家庭经济状况核对办法（试行）》的有关规定，"
    "{committee}对申请家庭的户籍状况、家庭收入和家庭财产情况进行了调查核实，并在公示栏"
    "进行了公示，公示期间未收到异议。",
    "经{org}工作人员{visitor}等二人于{visit_date}入户核查，该户住房为{house}，"
    "家中陈设简单，无机动车辆及大型农机具。",
    "据了解，户主{head}{head_situation}，家庭主要收入来源为{income_source}，"
    "全年家庭总收入约{total}元，人均年收入约{per_capita}元。",
    "家庭成员{members}，其中{dependants}，日常医疗和生活开支较大，"
    "近一年医疗支出约{medical}元，教育支出约{education}元。",
    "该户赡养义务人{obligors}，均已另立门户，每年提供赡养费合计约{support}元，"
    "其自身收入有限，无力承担更多赡养责任。",
    "入户时查看了户口簿、存折及近期医疗费用票据，银行存款余额合计{deposits}元，"
    "与申报情况一致，未发现隐瞒家庭收入和财产的情形。",
    "邻里反映该户平时为人本分，家庭生活确实困难，{committee}对上述情况进行了核实，情况属实。",
    "申请人承诺所提供的家庭收入、财产等情况真实完整，如有隐瞒或者虚报，愿意承担相应的"
    "法律责任，并同意有关部门对其家庭经济状况进行查询核对。",
)
PLAIN_CLOSINGS = (
    "特此说明，请予审核。",
    "以上情况属实，特此证明。",
)
