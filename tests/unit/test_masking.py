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
