/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * HEST override for the acpi-ras platform of the test bed (iasl data table
 * source; the kernel loads it from the initrd, CONFIG_ACPI_TABLE_UPGRADE).
 *
 * It replaces the HEST of QEMU's virt machine (ras=on), which has one GHESv2
 * error source notified by SEA, with the same source plus one notified by
 * SEI (ACPI 6.5, 18.3.2.8 and 18.3.2.9). Same OEM IDs as QEMU's table, and a
 * higher OEM revision, as the table upgrade requires.
 *
 * Both sources live in QEMU's hardware-errors page (fw_cfg
 * "etc/hardware_errors"), which the UEFI firmware allocates as ACPI NVS, so
 * the kernel never uses it and maps it writable. Where the firmware puts
 * the page depends on what it allocated before, the kernel image among
 * them, so this is a template: testbed/vmrun.py boots the acpi platform
 * once, reads the address B of QEMU's SEA Error Status Address register
 * from its HEST, and replaces each @B+offset@ before compiling with iasl:
 *   B + 0x000  SEA Error Status Address register (QEMU: -> B + 0x10)
 *   B + 0x008  SEA Read Ack register
 *   B + 0x010  SEA error status block, 0x400 bytes
 *   B + 0x410  SEI Error Status Address register (0 until a record is written)
 *   B + 0x418  SEI Read Ack register
 *   B + 0x420  SEI error status block, 0x400 bytes (after its registers,
 *              where kvm_ras_testmod writes it)
 * kvm_ras_testmod refuses to write anywhere the kernel uses as RAM, so a
 * wrong B makes the RAS tests fail, never the host.
 */

Signature : "HEST"    [Hardware Error Source Table]
Table Length : 00000000
Revision : 01
Checksum : 00
Oem ID : "BOCHS "
Oem Table ID : "BXPC    "
Oem Revision : 00000002
Asl Compiler ID : "BXPC"
Asl Compiler Revision : 00000001
Error Source Count : 00000002
Subtable Type : 000A [Generic Hardware Error Source V2]
Source Id : 0000
Related Source Id : FFFF
Reserved : 00
Enabled : 01
Records To Preallocate : 00000001
Max Sections Per Record : 00000001
Max Raw Data Length : 00000400
Error Status Address : [Generic Address Structure]
Space ID : 00 [SystemMemory]
Bit Width : 40
Bit Offset : 00
Encoded Access Width : 04 [QWord Access:64]
Address : @B+0x000@
Notify : [Hardware Error Notification Structure]
Notify Type : 08 [SEA]
Notify Length : 1C
Configuration Write Enable : 0000
PollInterval : 00000000
Vector : 00000000
Polling Threshold Value : 00000000
Polling Threshold Window : 00000000
Error Threshold Value : 00000000
Error Threshold Window : 00000000
Error Status Block Length : 00000400
Read Ack Register : [Generic Address Structure]
Space ID : 00 [SystemMemory]
Bit Width : 40
Bit Offset : 00
Encoded Access Width : 04 [QWord Access:64]
Address : @B+0x008@
Read Ack Preserve : FFFFFFFFFFFFFFFE
Read Ack Write : 0000000000000001

Subtable Type : 000A [Generic Hardware Error Source V2]
Source Id : 0001
Related Source Id : FFFF
Reserved : 00
Enabled : 01
Records To Preallocate : 00000001
Max Sections Per Record : 00000001
Max Raw Data Length : 00000400
Error Status Address : [Generic Address Structure]
Space ID : 00 [SystemMemory]
Bit Width : 40
Bit Offset : 00
Encoded Access Width : 04 [QWord Access:64]
Address : @B+0x410@
Notify : [Hardware Error Notification Structure]
Notify Type : 09 [SEI]
Notify Length : 1C
Configuration Write Enable : 0000
PollInterval : 00000000
Vector : 00000000
Polling Threshold Value : 00000000
Polling Threshold Window : 00000000
Error Threshold Value : 00000000
Error Threshold Window : 00000000
Error Status Block Length : 00000400
Read Ack Register : [Generic Address Structure]
Space ID : 00 [SystemMemory]
Bit Width : 40
Bit Offset : 00
Encoded Access Width : 04 [QWord Access:64]
Address : @B+0x418@
Read Ack Preserve : FFFFFFFFFFFFFFFE
Read Ack Write : 0000000000000001
