import pytest

from clerk_tui.domain.search import CatalogIndex, SearchEntry, pinyin_forms

NAMES = [
    ("000105002000", "内地居民结婚登记", "县民政局"),
    ("000105003000", "内地居民离婚登记", "县民政局"),
    ("000105004000", "补领结婚证", "县民政局"),
    ("000112001000", "有限责任公司设立登记", "县市场监督管理局"),
    ("000118001000", "失业保险金申领", "县人力资源和社会保障局"),
    ("000120001000", "结婚登记信息查询", "县档案馆"),
]


@pytest.fixture(scope="module")
def index():
    return CatalogIndex(
        SearchEntry(i, code, name, dept, *pinyin_forms(name)) for i, (code, name, dept) in enumerate(NAMES)
    )


def names(found):
    return [e.name for e in found]


def test_pinyin_forms():
    assert pinyin_forms("结婚登记") == ("jiehundengji", "jhdj")
    assert pinyin_forms("A类 许可") == ("aleixuke", "alxk")


@pytest.mark.parametrize(
    "query, first",
    [
        ("jhdj", "结婚登记信息查询"),  # initials prefix outranks initials inside a longer name
        ("jiehun", "结婚登记信息查询"),
        ("JHDJ", "结婚登记信息查询"),
        ("结婚", "结婚登记信息查询"),
        ("000112001000", "有限责任公司设立登记"),
        ("0001120", "有限责任公司设立登记"),
        ("sybxj", "失业保险金申领"),
        ("人力资源", "失业保险金申领"),
        ("离婚", "内地居民离婚登记"),
    ],
)
def test_search_ranks_sensibly(index, query, first):
    assert names(index.search(query))[0] == first


def test_initials_find_every_item_that_contains_them(index):
    assert set(names(index.search("jhdj"))) == {"内地居民结婚登记", "结婚登记信息查询"}
    assert "补领结婚证" in names(index.search("jiehun"))


def test_name_match_outranks_pinyin(index):
    found = names(index.search("结婚登记"))
    assert found[:2] == ["结婚登记信息查询", "内地居民结婚登记"]


def test_empty_query_lists_all_by_code_and_nothing_matches_nonsense(index):
    assert len(index.search("")) == len(NAMES)
    assert index.search("qqqqzzz") == []


def test_colloquial_keywords_and_their_initials():
    entries = [
        SearchEntry(
            1,
            "1",
            "城乡居民基本养老保险参保登记",
            "县人社局",
            *pinyin_forms("城乡居民基本养老保险参保登记"),
            "社保",
            " ".join(pinyin_forms("社保")),
        ),
        SearchEntry(
            2,
            "2",
            "有限责任公司设立登记",
            "县市场监管局",
            *pinyin_forms("有限责任公司设立登记"),
            "营业执照、开公司",
            " ".join(pinyin_forms("营业执照") + pinyin_forms("开公司")),
        ),
    ]
    index = CatalogIndex(entries)
    assert names(index.search("社保")) == ["城乡居民基本养老保险参保登记"]
    assert names(index.search("营业执照")) == ["有限责任公司设立登记"]
    assert names(index.search("yyzz")) == ["有限责任公司设立登记"]
    assert names(index.search("shebao")) == ["城乡居民基本养老保险参保登记"]


def test_code_prefix_lists_in_code_order(index):
    assert [e.code for e in index.search("0001050")] == ["000105002000", "000105003000", "000105004000"]
