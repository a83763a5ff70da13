from django.db import migrations, models

# What a search reads of a product (catalog/search_index.py COLUMNS and its words): a change of any of these stamps
# the product with the changing transaction's id. A shop's status decides whether its products are listed.
SEARCHED = ("status", "name", "description", "category_id", "category_root_id", "kabkota_id", "is_halal",
            "is_banten", "tkdn_percent", "bmp_percent", "price_min", "sold_count", "rating_avg", "shop_is_umk",
            "created_at", "shop_id")
OLD = ", ".join(f"OLD.{column}" for column in SEARCHED)
NEW = ", ".join(f"NEW.{column}" for column in SEARCHED)

TRIGGERS = f"""
CREATE FUNCTION catalog_product_index_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR ROW({OLD}) IS DISTINCT FROM ROW({NEW}) THEN
        NEW.index_version := pg_current_xact_id()::text::bigint;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER catalog_product_index_version BEFORE INSERT OR UPDATE ON catalog_product
    FOR EACH ROW EXECUTE FUNCTION catalog_product_index_version();
CREATE FUNCTION vendors_shop_index_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_product SET index_version = pg_current_xact_id()::text::bigint WHERE shop_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER vendors_shop_index_version AFTER UPDATE OF status ON vendors_shop
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION vendors_shop_index_version();
ANALYZE catalog_product;
"""  # noqa: S608 (column names, no input)
DROP = """
DROP TRIGGER vendors_shop_index_version ON vendors_shop; DROP FUNCTION vendors_shop_index_version();
DROP TRIGGER catalog_product_index_version ON catalog_product; DROP FUNCTION catalog_product_index_version();
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0016_search_gin_sold_count"), ("vendors", "0009_shop_is_koperasi")]

    operations = [
        migrations.AddField(model_name="product", name="index_version",
                            field=models.BigIntegerField(default=0, editable=False)),
        migrations.AddIndex(model_name="product",
                            index=models.Index(fields=["index_version"], name="product_index_version")),
        migrations.RunSQL(TRIGGERS, DROP),
    ]
