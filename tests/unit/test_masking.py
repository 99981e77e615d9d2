from onboarding.masking import mask_fields, mask_name, mask_number


def test_numbers_keep_four_digits_each_side():
    assert mask_number("440781197506032481") == "4407**********2481"
    assert mask_number("6222021234567890123") == "6222***********0123"
    assert mask_number("1234") == "****"


def test_names_keep_first_and_last_character():
    assert mask_name("王昌良") == "王*良"
    assert mask_name("王良") == "王*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("WANG CHANGLIANG") == "W*** C*********"


def test_extracted_fields_mask_pii_but_not_business_facts():
    masked = mask_fields({
        "name": {"value": "王昌良", "confidence": 0.9},
        "id_number": {"value": "440781197506032481", "confidence": 0.99},
        "company_name": {"value": "台山市昌良小吃店", "confidence": 0.9},
        "valid_until": {"value": "2030-01-01", "confidence": 0.9},
    })
    assert masked["name"]["value"] == "王*良"
    assert masked["id_number"]["value"] == "4407**********2481"
    assert masked["company_name"]["value"] == "台山市昌良小吃店"
    assert masked["valid_until"] == {"value": "2030-01-01", "confidence": 0.9}


def test_zero_width_combining_and_look_alike_characters_do_not_unmask_a_name():
    assert mask_name("胡\u200b春") == "胡*"  # not 胡*春, the whole name
    assert mask_name("\u200d胡春\ufeff") == "胡*"
    assert mask_name("胡\u0301春") == "胡*"  # a stray combining accent is not a character of the name
    assert mask_name("\u2f08\u6625") == "人*"  # KANGXI RADICAL MAN looks like 人 and is masked as one
    assert mask_name("ＷＡＮＧ") == "W***"  # full-width letters are Latin letters
    assert mask_number("４４０７８１１９７５０６０３２４８１") == "4407**********2481"
    assert mask_number("4407\u200b8119\u200b7506032481") == "4407**********2481"


def test_names_hidden_in_free_text_are_found_whatever_is_inserted_into_them():
    from onboarding.masking import mask_in_text

    known = {"胡春": "胡*", "440781197506032481": "4407**********2481"}
    assert mask_in_text("身份证姓名胡\u200b春与申请不符", known) == "身份证姓名胡*与申请不符"
    assert mask_in_text("ID ４４０７８１１９７５０６０３２４８１ expired", known) == "ID 4407**********2481 expired"
    assert mask_in_text("nothing to hide", {"\u200b": "*"}) == "nothing to hide"


def test_text_around_a_masked_value_is_left_as_written():
    from onboarding.masking import mask_in_text

    assert mask_in_text("请拍摄银行卡正面，持卡人胡\u200b春。", {"胡春": "胡*"}) == "请拍摄银行卡正面，持卡人胡*。"
